"""Read queries behind the REST API and the dashboard, set-based in SQL."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Float, Integer, cast, func, or_, select
from sqlmodel import Session, col

from medstock.expiry import local_today
from medstock.reporting import expiring_by_bucket
from medstock.settings import get_settings
from models import (
    OPEN_STATUSES,
    AgentStatus,
    ExpiryAlert,
    Lot,
    Product,
    PurchaseOrder,
    Report,
    StockMovement,
    TaskLog,
)

RECENT_MOVEMENTS = 20
_OPEN = [str(status) for status in OPEN_STATUSES]


@dataclass(frozen=True)
class Page:
    """One page of rows and the count of all rows that match."""

    items: list[Any]
    total: int


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def list_products(
    session: Session,
    *,
    search: str | None = None,
    category: str | None = None,
    critical: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """Products by SKU, filtered by text in SKU or name, category and criticality."""
    conditions: list[ColumnElement[bool]] = []
    if search:
        pattern = _like(search)
        conditions.append(
            or_(
                func.lower(col(Product.sku)).like(pattern, escape="\\"),
                func.lower(col(Product.name)).like(pattern, escape="\\"),
            )
        )
    if category:
        conditions.append(col(Product.category) == category)
    if critical:
        conditions.append(col(Product.stock) < col(Product.min_stock))

    total = session.execute(
        select(func.count()).select_from(Product).where(*conditions)
    ).scalar_one()
    # Ordered by SKU, a unique key, so that pages never overlap or skip rows.
    rows = session.execute(
        select(Product)
        .where(*conditions)
        .order_by(col(Product.sku))
        .limit(limit)
        .offset(offset)
    ).scalars()
    return Page(list(rows), int(total))


def open_orders(
    session: Session, *, product_id: int | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """PENDING and ORDERED orders with their product, oldest first."""
    return list_orders(
        session, statuses=_OPEN, product_id=product_id, limit=limit, offset=0
    ).items


def product_lots(session: Session, product_id: int) -> list[Lot]:
    """The product's lots that hold stock, first expiry first (undated last)."""
    return list(
        session.execute(
            select(Lot)
            .where(col(Lot.product_id) == product_id, col(Lot.quantity) > 0)
            .order_by(col(Lot.expiry_date).is_(None), col(Lot.expiry_date), col(Lot.id))
        ).scalars()
    )


def list_expiry_alerts(
    session: Session,
    *,
    bucket: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """Expiry alerts with their product and lot, newest first."""
    conditions = [col(ExpiryAlert.bucket) == bucket] if bucket else []
    total = session.execute(
        select(func.count()).select_from(ExpiryAlert).where(*conditions)
    ).scalar_one()
    rows = session.execute(
        select(ExpiryAlert, col(Product.sku), col(Product.name), col(Lot.lot_number))
        .join(Product, col(Product.id) == col(ExpiryAlert.product_id))
        .join(Lot, col(Lot.id) == col(ExpiryAlert.lot_id))
        .where(*conditions)
        .order_by(col(ExpiryAlert.created_at).desc(), col(ExpiryAlert.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    items = [
        {**alert.model_dump(), "sku": sku, "product_name": name, "lot_number": lot}
        for alert, sku, name, lot in rows
    ]
    return Page(items, int(total))


def recent_movements(
    session: Session, product_id: int, *, limit: int = RECENT_MOVEMENTS
) -> list[StockMovement]:
    """The product's latest stock movements, newest first."""
    return list(
        session.execute(
            select(StockMovement)
            .where(col(StockMovement.product_id) == product_id)
            .order_by(
                col(StockMovement.created_at).desc(), col(StockMovement.id).desc()
            )
            .limit(limit)
        ).scalars()
    )


def _order_row(
    order: PurchaseOrder, sku: str, name: str, tracks_expiry: bool
) -> dict[str, Any]:
    return {
        **order.model_dump(),
        "sku": sku,
        "product_name": name,
        "tracks_expiry": tracks_expiry,
    }


def list_orders(
    session: Session,
    *,
    statuses: list[str] | None = None,
    product_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """Purchase orders with their product's SKU and name, oldest first."""
    conditions: list[ColumnElement[bool]] = []
    if statuses:
        conditions.append(col(PurchaseOrder.status).in_(statuses))
    if product_id is not None:
        conditions.append(col(PurchaseOrder.product_id) == product_id)

    total = session.execute(
        select(func.count()).select_from(PurchaseOrder).where(*conditions)
    ).scalar_one()
    rows = session.execute(
        select(
            PurchaseOrder,
            col(Product.sku),
            col(Product.name),
            col(Product.tracks_expiry),
        )
        .join(Product, col(Product.id) == col(PurchaseOrder.product_id))
        .where(*conditions)
        .order_by(col(PurchaseOrder.created_at), col(PurchaseOrder.id))
        .limit(limit)
        .offset(offset)
    ).all()
    items = [_order_row(*row) for row in rows]
    return Page(items, int(total))


def get_order(session: Session, order_id: int) -> dict[str, Any] | None:
    """One purchase order with its product's SKU and name, or None."""
    row = session.execute(
        select(
            PurchaseOrder,
            col(Product.sku),
            col(Product.name),
            col(Product.tracks_expiry),
        )
        .join(Product, col(Product.id) == col(PurchaseOrder.product_id))
        .where(col(PurchaseOrder.id) == order_id)
    ).first()
    return None if row is None else _order_row(*row)


def latest_report(session: Session) -> Report | None:
    """The newest inventory report, or None before the first run."""
    return session.execute(
        select(Report)
        .order_by(col(Report.created_at).desc(), col(Report.id).desc())
        .limit(1)
    ).scalar_one_or_none()


def list_reports(session: Session, *, limit: int = 20, offset: int = 0) -> Page:
    """Inventory reports, newest first."""
    total = session.execute(select(func.count()).select_from(Report)).scalar_one()
    rows = session.execute(
        select(Report)
        .order_by(col(Report.created_at).desc(), col(Report.id).desc())
        .limit(limit)
        .offset(offset)
    ).scalars()
    return Page(list(rows), int(total))


def list_agent_status(session: Session) -> list[AgentStatus]:
    """The supervisor's row of every agent that has run, by name."""
    return list(
        session.execute(select(AgentStatus).order_by(col(AgentStatus.agent))).scalars()
    )


def latest_task_logs(session: Session, *, limit: int = 10) -> list[TaskLog]:
    """The newest agent runs, newest first."""
    return list(
        session.execute(
            select(TaskLog)
            .order_by(
                col(TaskLog.started_at).desc().nulls_last(), col(TaskLog.id).desc()
            )
            .limit(limit)
        ).scalars()
    )


def _money(value: Any) -> str:
    return str(Decimal(str(value or 0)).quantize(Decimal("0.01")))


def inventory_kpis(session: Session) -> dict[str, Any]:
    """The dashboard's headline numbers, each one aggregate query."""
    products, units, value, critical = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(col(Product.stock)), 0),
            func.coalesce(func.sum(col(Product.stock) * col(Product.unit_cost)), 0),
            func.coalesce(
                func.sum(cast(col(Product.stock) < col(Product.min_stock), Integer)), 0
            ),
        )
    ).one()
    orders = session.execute(
        select(func.count()).where(col(PurchaseOrder.status).in_(_OPEN))
    ).scalar_one()
    # Expired lots and those inside the horizons, by the inventory report's rule.
    expiring = expiring_by_bucket(
        session, day=local_today(), horizons=get_settings().expiry_horizons
    )
    return {
        "products": int(products),
        "units": int(units),
        "inventory_value": _money(value),
        "critical_products": int(critical),
        "open_orders": int(orders),
        "expiring_lots": sum(bucket["lots"] for bucket in expiring),
    }


def critical_products(session: Session, *, limit: int = 20) -> list[Product]:
    """Products below their minimum, the furthest below first."""
    ratio = cast(col(Product.stock), Float) / col(Product.min_stock)
    return list(
        session.execute(
            select(Product)
            .where(col(Product.stock) < col(Product.min_stock))
            .order_by(ratio, col(Product.sku))
            .limit(limit)
        ).scalars()
    )


def _hour_of(session: Session, column: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:00:00Z')
    return func.strftime("%Y-%m-%dT%H:00:00Z", column)


def runs_per_hour(
    session: Session, *, now: datetime, hours: int = 24
) -> list[dict[str, Any]]:
    """Agent runs started in the last `hours` hours, counted by hour, agent, status."""
    hour = _hour_of(session, col(TaskLog.started_at)).label("hour")
    rows = session.execute(
        select(hour, col(TaskLog.agent), col(TaskLog.status), func.count())
        .where(col(TaskLog.started_at) >= now - timedelta(hours=hours))
        .group_by(hour, col(TaskLog.agent), col(TaskLog.status))
        .order_by(hour, col(TaskLog.agent), col(TaskLog.status))
    ).all()
    return [
        {"hour": when, "agent": agent, "status": status, "runs": int(runs)}
        for when, agent, status, runs in rows
    ]
