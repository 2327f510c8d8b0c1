"""The app's tables."""

from models._tables import table_of
from models._time import moment, utcnow
from models.agent_status import AgentStatus
from models.expiry_alert import EXPIRED_BUCKET, ExpiryAlert
from models.lot import Lot
from models.product import Product
from models.purchase_order import OPEN_STATUSES, OrderStatus, PurchaseOrder
from models.report import Report
from models.run_alert import RunAlert
from models.stock_movement import MovementKind, StockMovement
from models.task_log import (
    FAILURE_STATUSES,
    OPEN_RUN_STATUSES,
    TERMINAL_STATUSES,
    RunStatus,
    TaskLog,
)

__all__ = [
    "EXPIRED_BUCKET",
    "FAILURE_STATUSES",
    "OPEN_RUN_STATUSES",
    "OPEN_STATUSES",
    "TERMINAL_STATUSES",
    "AgentStatus",
    "ExpiryAlert",
    "Lot",
    "RunAlert",
    "MovementKind",
    "OrderStatus",
    "Product",
    "PurchaseOrder",
    "Report",
    "RunStatus",
    "StockMovement",
    "TaskLog",
    "moment",
    "table_of",
    "utcnow",
]
