"""Adding and editing catalogue products; stock changes only through movements."""

import logging
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from medstock.errors import ConflictError, NotFoundError, ValidationError
from models import Product, utcnow

logger = logging.getLogger(__name__)

# The fields an edit may change; stock is not one of them (see medstock.ledger).
EDITABLE = (
    "name",
    "category",
    "unit",
    "min_stock",
    "max_stock",
    "pack_size",
    "unit_cost",
    "tracks_expiry",
)


def _check_levels(sku: str, min_stock: int, max_stock: int | None) -> None:
    if max_stock is not None and max_stock < min_stock:
        raise ValidationError(
            f"product {sku!r}: max_stock={max_stock} is below min_stock={min_stock}; "
            "raise max_stock or leave it empty"
        )


def create_product(
    session: Session,
    *,
    sku: str,
    name: str,
    category: str,
    unit: str,
    min_stock: int = 0,
    max_stock: int | None = None,
    pack_size: int = 1,
    unit_cost: Decimal = Decimal("0"),
    tracks_expiry: bool = False,
) -> Product:
    """Add a product with no stock; ConflictError when the SKU exists."""
    _check_levels(sku, min_stock, max_stock)
    taken = session.execute(
        select(col(Product.id)).where(col(Product.sku) == sku)
    ).first()
    if taken is not None:
        raise ConflictError(f"a product with sku {sku!r} exists; choose another sku")

    now = utcnow()
    product = Product(
        sku=sku,
        name=name,
        category=category,
        unit=unit,
        stock=0,
        min_stock=min_stock,
        max_stock=max_stock,
        pack_size=pack_size,
        unit_cost=unit_cost,
        tracks_expiry=tracks_expiry,
        created_at=now,
        updated_at=now,
    )
    session.add(product)
    session.flush()
    logger.info("added product %s (%s)", product.id, sku)
    return product


def update_product(session: Session, product_id: int, **changes: Any) -> Product:
    """Change a product's editable fields; NotFoundError or ValidationError."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationError(
            f"cannot edit {', '.join(unknown)}; stock changes only through movements"
        )
    product = session.get(Product, product_id, with_for_update=True)
    if product is None:
        raise NotFoundError(f"no product with id {product_id!r}; list them first")

    min_stock = changes.get("min_stock", product.min_stock)
    max_stock = changes.get("max_stock", product.max_stock)
    _check_levels(product.sku, min_stock, max_stock)
    for field, value in changes.items():
        setattr(product, field, value)
    product.updated_at = utcnow()
    session.add(product)
    session.flush()
    logger.info("updated product %s: %s", product_id, ", ".join(sorted(changes)))
    return product
