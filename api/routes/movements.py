"""Stock movements: the only way a product's stock changes."""

from fastapi import APIRouter, HTTPException, status
from sqlalchemy.exc import DataError

from api.deps import Authorized
from api.params import ProductId
from api.schemas import MovementCreate, MovementOut
from medstock.db import session_scope
from medstock.errors import (
    InsufficientStockError,
    NotFoundError,
    OutOfRangeError,
    ValidationError,
)
from medstock.ledger import record_movement
from models import Product

router = APIRouter(prefix="/products", tags=["stock movements"])

PRODUCT_NOT_FOUND = "product not found"
LOT_NOT_FOUND = "lot not found"
INSUFFICIENT_STOCK = "insufficient stock"
LOT_MISMATCH = "lot details do not fit the product"
OUT_OF_RANGE = "quantity out of range"


@router.post(
    "/{product_id}/movements",
    status_code=status.HTTP_201_CREATED,
    dependencies=Authorized,
    responses={
        404: {"description": f"{PRODUCT_NOT_FOUND} or {LOT_NOT_FOUND}"},
        409: {"description": INSUFFICIENT_STOCK},
        422: {"description": f"{LOT_MISMATCH} or {OUT_OF_RANGE}"},
    },
)
def add_movement(product_id: ProductId, body: MovementCreate) -> MovementOut:
    """Book IN, OUT or ADJUST; stock and lots change with it or not at all."""
    try:
        with session_scope(writer=True) as session:
            if session.get(Product, product_id) is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, PRODUCT_NOT_FOUND)
            movement = record_movement(
                session,
                product_id=product_id,
                kind=body.kind,
                quantity=body.quantity,
                reason=body.reason,
                lot_number=body.lot_number,
                expiry_date=body.expiry_date,
            )
            return MovementOut.model_validate(movement)
    except NotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, LOT_NOT_FOUND) from None
    except InsufficientStockError:
        raise HTTPException(status.HTTP_409_CONFLICT, INSUFFICIENT_STOCK) from None
    except OutOfRangeError:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, OUT_OF_RANGE
        ) from None
    except ValidationError:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, LOT_MISMATCH
        ) from None
    except DataError:
        # PostgreSQL's 32-bit stock column overflows before any rule refuses it.
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, OUT_OF_RANGE
        ) from None
