"""Request and response bodies of the API."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_serializer,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from models import MovementKind

# Bounds that keep every accepted value storable on SQLite and PostgreSQL alike
# (32-bit integers, no control characters such as NUL in text).
MAX_UNITS = 1_000_000_000
PRINTABLE = r"^[^\x00-\x1f\x7f]+$"


def single_line(max_length: int) -> StringConstraints:
    """Text of 1 to `max_length` printable characters, trimmed."""
    return StringConstraints(
        strip_whitespace=True, min_length=1, max_length=max_length, pattern=PRINTABLE
    )


Sku = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$",
    ),
]
Name = Annotated[str, single_line(200)]
Category = Annotated[str, single_line(80)]
Unit = Annotated[str, single_line(40)]
Units = Annotated[int, Field(ge=0, le=MAX_UNITS)]
PackSize = Annotated[int, Field(ge=1, le=MAX_UNITS)]
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


def _money(value: Decimal) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


class Strict(BaseModel):
    """A request body that refuses fields it does not know."""

    model_config = ConfigDict(extra="forbid")


class ProductCreate(Strict):
    """A new product; it starts with no stock, which comes through movements."""

    sku: Sku
    name: Name
    category: Category
    unit: Unit
    min_stock: Units = 0
    max_stock: Units | None = None
    pack_size: PackSize = 1
    unit_cost: Money = Decimal("0")
    tracks_expiry: bool = False

    @model_validator(mode="after")
    def _levels(self) -> Self:
        if self.max_stock is not None and self.max_stock < self.min_stock:
            raise ValueError("max_stock must not be below min_stock")
        return self


class ProductUpdate(Strict):
    """The fields to change; stock is not one of them."""

    name: Name | SkipJsonSchema[None] = None
    category: Category | SkipJsonSchema[None] = None
    unit: Unit | SkipJsonSchema[None] = None
    min_stock: Units | SkipJsonSchema[None] = None
    max_stock: Units | None = None
    pack_size: PackSize | SkipJsonSchema[None] = None
    unit_cost: Money | SkipJsonSchema[None] = None
    tracks_expiry: bool | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _no_nulls(self) -> Self:
        nulls = [
            name
            for name in self.model_fields_set
            if name != "max_stock" and getattr(self, name) is None
        ]
        if nulls:
            raise ValueError(f"{', '.join(sorted(nulls))} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields the request sets, by name."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class ProductOut(BaseModel):
    """A product as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    sku: str
    name: str
    category: str
    unit: str
    stock: int
    min_stock: int
    max_stock: int | None
    pack_size: int
    unit_cost: Decimal
    tracks_expiry: bool
    created_at: datetime
    updated_at: datetime

    @field_serializer("unit_cost")
    def _cost(self, value: Decimal) -> str:
        return _money(value)


LotNumber = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=64, pattern=PRINTABLE
    ),
]
# Dates a lot label can carry; outside them a date is a typing mistake.
LabelDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


class MovementCreate(Strict):
    """A stock movement: IN and OUT count units, ADJUST is a signed correction."""

    kind: MovementKind
    # Strict: JSON true or "5" is not a quantity.
    quantity: Annotated[int, Field(ge=-MAX_UNITS, le=MAX_UNITS, strict=True)]
    reason: Name
    lot_number: LotNumber | None = None
    expiry_date: LabelDate | None = None

    @model_validator(mode="after")
    def _sign(self) -> Self:
        if self.kind is MovementKind.ADJUST and self.quantity == 0:
            raise ValueError("an ADJUST quantity must not be 0")
        if self.kind is not MovementKind.ADJUST and self.quantity <= 0:
            raise ValueError("an IN or OUT quantity must be above 0")
        return self


class Receipt(Strict):
    """What the delivery label says; needed for products that track expiry."""

    lot_number: LotNumber | None = None
    expiry_date: LabelDate | None = None


class MovementOut(BaseModel):
    """One booked stock movement."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    product_id: int
    kind: str
    quantity: int
    reason: str
    created_at: datetime


class OrderOut(BaseModel):
    """A purchase order with its product's SKU and name."""

    id: int
    product_id: int
    sku: str
    product_name: str
    tracks_expiry: bool
    quantity: int
    unit_cost: Decimal
    status: str
    flow_run_id: str | None
    created_at: datetime
    updated_at: datetime

    @field_serializer("unit_cost")
    def _cost(self, value: Decimal) -> str:
        return _money(value)


class LotOut(BaseModel):
    """One lot of a product: its number, expiry date and units."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    lot_number: str
    expiry_date: date | None
    quantity: int
    received_at: datetime


class ProductDetail(ProductOut):
    """A product with its lots, open orders and latest movements."""

    lots: list[LotOut]
    open_orders: list[OrderOut]
    recent_movements: list[MovementOut]


class ProductPage(BaseModel):
    """One page of products."""

    items: list[ProductOut]
    total: int
    limit: int
    offset: int


class OrderPage(BaseModel):
    """One page of purchase orders."""

    items: list[OrderOut]
    total: int
    limit: int
    offset: int


class ReportOut(BaseModel):
    """One stored inventory report."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    report_date: date
    flow_run_id: str | None
    metrics: dict[str, Any]
    created_at: datetime


class ReportPage(BaseModel):
    """One page of reports, newest first."""

    items: list[ReportOut]
    total: int
    limit: int
    offset: int


class TaskLogOut(BaseModel):
    """One agent run as the supervisor recorded it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    agent: str
    flow_run_id: str
    status: str
    message: str
    trigger: str
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None
    attempts: int


class ExpiryAlertOut(BaseModel):
    """A lot found expired or expiring within a horizon (its bucket, in days)."""

    id: int
    lot_id: int
    lot_number: str
    product_id: int
    sku: str
    product_name: str
    bucket: str
    expiry_date: date
    quantity: int
    flow_run_id: str | None
    created_at: datetime


class ExpiryAlertPage(BaseModel):
    """One page of expiry alerts, newest first."""

    items: list[ExpiryAlertOut]
    total: int
    limit: int
    offset: int


class AgentCard(BaseModel):
    """What the dashboard shows of one agent."""

    agent: str
    description: str
    cron: str
    is_active: bool
    health: str | None
    last_heartbeat: datetime | None
    last_status: str | None
    last_run_id: str | None
    last_error: str | None
    success_rate: float | None
    mean_duration_ms: float | None
    prefect_url: str | None


class Health(BaseModel):
    """Whether the API and its database answer."""

    status: str
    database: str


class Kpis(BaseModel):
    """The dashboard's headline numbers."""

    products: int
    units: int
    inventory_value: str
    critical_products: int
    open_orders: int
    expiring_lots: int


class HourlyRuns(BaseModel):
    """Runs of one agent with one status in one hour (UTC)."""

    hour: str
    agent: str
    status: str
    runs: int


class Dashboard(BaseModel):
    """Everything the dashboard page shows, in one poll."""

    generated_at: datetime
    prefect_ui: str | None
    kpis: Kpis
    critical_products: list[ProductOut]
    open_orders: list[OrderOut]
    agents: list[AgentCard]
    task_logs: list[TaskLogOut]
    runs_per_hour: list[HourlyRuns]
