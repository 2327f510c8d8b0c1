"""Builders of rows for tests, with defaults that tests override by name."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from models import Product, PurchaseOrder, StockMovement


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
