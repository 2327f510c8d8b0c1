"""Alerts raised by the expiry-check agent, one per lot and bucket."""

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models._time import utcnow

EXPIRED_BUCKET = "EXPIRED"


class ExpiryAlert(SQLModel, table=True):
    """A lot found expired, or expiring within a horizon (the bucket, in days)."""

    __tablename__ = "expiry_alerts"
    __table_args__ = (
        UniqueConstraint("lot_id", "bucket", name="uq_expiry_alerts_lot_bucket"),
    )

    id: int | None = Field(default=None, primary_key=True)
    lot_id: int = Field(foreign_key="lots.id", index=True)
    product_id: int = Field(foreign_key="products.id", index=True)
    bucket: str = Field(max_length=16)
    expiry_date: date
    quantity: int
    flow_run_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, index=True)
