"""Product lots: the units of one delivery, with their expiry date."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from models._time import utcnow


class Lot(SQLModel, table=True):
    """Units of one product from one lot; for a tracked product they sum to stock."""

    __tablename__ = "lots"
    __table_args__ = (
        UniqueConstraint("product_id", "lot_number", name="uq_lots_product_lot"),
        CheckConstraint("quantity >= 0", name="ck_lots_quantity_non_negative"),
        Index("ix_lots_expiry_date", "expiry_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id", index=True)
    lot_number: str = Field(max_length=64)
    expiry_date: date | None = None
    quantity: int = 0
    received_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
