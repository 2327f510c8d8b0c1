"""Products of the catalogue, with their stock and reorder point."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, Numeric
from sqlmodel import Field, SQLModel

from models._time import utcnow


class Product(SQLModel, table=True):
    """One stocked item, identified by its SKU."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("stock >= 0", name="ck_products_stock_non_negative"),
        CheckConstraint("min_stock >= 0", name="ck_products_min_stock_non_negative"),
        CheckConstraint(
            "max_stock IS NULL OR max_stock >= min_stock",
            name="ck_products_max_stock_at_least_min",
        ),
        CheckConstraint("pack_size >= 1", name="ck_products_pack_size_positive"),
        CheckConstraint("unit_cost >= 0", name="ck_products_unit_cost_non_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(unique=True, index=True, max_length=64)
    name: str = Field(max_length=200)
    category: str = Field(index=True, max_length=80)
    unit: str = Field(max_length=40)
    stock: int = 0
    min_stock: int = 0
    max_stock: int | None = None
    pack_size: int = 1
    unit_cost: Decimal = Field(
        default=Decimal("0"), sa_column=Column(Numeric(12, 2), nullable=False)
    )
    tracks_expiry: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
