"""The stock ledger: every change of a product's stock."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from models._time import utcnow


class MovementKind(StrEnum):
    """IN from receipts, OUT from consumption, ADJUST from counts and imports."""

    IN = "IN"
    OUT = "OUT"
    ADJUST = "ADJUST"


class StockMovement(SQLModel, table=True):
    """One booked change; IN and OUT are positive, ADJUST is signed."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('IN', 'OUT', 'ADJUST')", name="ck_stock_movements_kind_known"
        ),
        CheckConstraint(
            "(kind = 'ADJUST' AND quantity <> 0) OR quantity > 0",
            name="ck_stock_movements_quantity_sign",
        ),
        Index("ix_stock_movements_created_at", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id", index=True)
    kind: str = Field(max_length=8)
    quantity: int
    reason: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
