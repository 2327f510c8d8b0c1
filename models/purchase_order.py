"""Purchase orders raised by the stock-check agent or by hand."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, Index, Numeric, text
from sqlmodel import Field, SQLModel

from models._time import utcnow


class OrderStatus(StrEnum):
    """Where an order stands: PENDING -> ORDERED -> RECEIVED, or CANCELLED."""

    PENDING = "PENDING"
    ORDERED = "ORDERED"
    RECEIVED = "RECEIVED"
    CANCELLED = "CANCELLED"


OPEN_STATUSES = (OrderStatus.PENDING, OrderStatus.ORDERED)


class PurchaseOrder(SQLModel, table=True):
    """An order of one product from its supplier."""

    __tablename__ = "purchase_orders"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_purchase_orders_quantity_positive"),
        CheckConstraint(
            "unit_cost >= 0", name="ck_purchase_orders_unit_cost_non_negative"
        ),
        CheckConstraint(
            "status IN ('PENDING', 'ORDERED', 'RECEIVED', 'CANCELLED')",
            name="ck_purchase_orders_status_known",
        ),
        # NOTE: the guard that makes concurrent stock checks safe: a product has at
        # most one PENDING order, which later checks top up instead of repeating.
        Index(
            "uq_purchase_orders_one_pending_per_product",
            "product_id",
            unique=True,
            sqlite_where=text("status = 'PENDING'"),
            postgresql_where=text("status = 'PENDING'"),
        ),
        Index("ix_purchase_orders_status_product", "status", "product_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id", index=True)
    quantity: int
    unit_cost: Decimal = Field(
        default=Decimal("0"), sa_column=Column(Numeric(12, 2), nullable=False)
    )
    status: str = Field(default=OrderStatus.PENDING, max_length=16)
    flow_run_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
