"""Builders of rows for tests, with defaults that tests override by name."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from models import Lot, Product, PurchaseOrder, StockMovement


def add_product(session: Session, sku: str, **fields: Any) -> Product:
    """Add and flush a product; unspecified fields get plain defaults."""
    values: dict[str, Any] = {
        "name": f"Product {sku}",
        "category": "General",
        "unit": "unit",
        "stock": 10,
        "min_stock": 5,
        "unit_cost": Decimal("1.00"),
    }
    values.update(fields)
    product = Product(sku=sku, **values)
    session.add(product)
    session.flush()
    return product


def add_order(session: Session, product: Product, **fields: Any) -> PurchaseOrder:
    """Add and flush a purchase order for `product`."""
    values: dict[str, Any] = {"quantity": 10, "unit_cost": product.unit_cost}
    values.update(fields)
    order = PurchaseOrder(product_id=product.id, **values)
    session.add(order)
    session.flush()
    return order


def add_movement(
    session: Session, product: Product, kind: str, quantity: int, at: datetime
) -> StockMovement:
    """Add and flush a stock movement at a given time."""
    movement = StockMovement(
        product_id=product.id, kind=kind, quantity=quantity, created_at=at
    )
    session.add(movement)
    session.flush()
    return movement


def add_lot(
    session: Session,
    product: Product,
    lot_number: str,
    quantity: int,
    expiry_date: date | None,
) -> Lot:
    """Add and flush a lot of `product`; the product's stock is left as it is."""
    lot = Lot(
        product_id=product.id,
        lot_number=lot_number,
        quantity=quantity,
        expiry_date=expiry_date,
    )
    session.add(lot)
    session.flush()
    return lot
