"""Purchase orders: list by status; mark ordered, receive, cancel."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from sqlmodel import Session

from api.deps import Authorized, SessionDep
from api.params import Limit, Offset, OrderId
from api.schemas import OrderOut, OrderPage, Receipt
from medstock import queries
from medstock.db import session_scope
from medstock.errors import ConflictError, NotFoundError, ValidationError
from medstock.orders import cancel_order, mark_ordered, receive_order
from models import OrderStatus

router = APIRouter(prefix="/orders", tags=["purchase orders"])

ORDER_NOT_FOUND = "order not found"
WRONG_STATUS = "order status does not allow this"
LOT_MISMATCH = "lot details do not fit the product"
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": ORDER_NOT_FOUND},
    409: {"description": WRONG_STATUS},
}


@router.get("")
def read_orders(
    session: SessionDep,
    status: Annotated[list[OrderStatus] | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> OrderPage:
    """Purchase orders, oldest first; repeat `status` to keep several."""
    page = queries.list_orders(
        session,
        statuses=[str(s) for s in status] if status else None,
        limit=limit,
        offset=offset,
    )
    items = [OrderOut(**order) for order in page.items]
    return OrderPage(items=items, total=page.total, limit=limit, offset=offset)


def _change(order_id: int, action: Callable[[Session], object]) -> OrderOut:
    try:
        with session_scope(writer=True) as session:
            action(session)
            row = queries.get_order(session, order_id)
            assert row is not None  # the action found it
            return OrderOut(**row)
    except NotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, ORDER_NOT_FOUND) from None
    except ConflictError:
        raise HTTPException(status.HTTP_409_CONFLICT, WRONG_STATUS) from None
    except ValidationError:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, LOT_MISMATCH
        ) from None


@router.post("/{order_id}/mark-ordered", dependencies=Authorized, responses=ERRORS)
def order_sent(order_id: OrderId) -> OrderOut:
    """PENDING -> ORDERED: the order went to the supplier."""
    return _change(order_id, lambda session: mark_ordered(session, order_id))


@router.post(
    "/{order_id}/receive",
    dependencies=Authorized,
    responses={**ERRORS, 422: {"description": LOT_MISMATCH}},
)
def order_received(order_id: OrderId, body: Receipt | None = None) -> OrderOut:
    """ORDERED -> RECEIVED: books the IN movement, and the lot of tracked products."""
    receipt = body or Receipt()
    return _change(
        order_id,
        lambda session: receive_order(
            session,
            order_id,
            lot_number=receipt.lot_number,
            expiry_date=receipt.expiry_date,
        ),
    )


@router.post("/{order_id}/cancel", dependencies=Authorized, responses=ERRORS)
def order_cancelled(order_id: OrderId) -> OrderOut:
    """PENDING or ORDERED -> CANCELLED: no longer counts as stock on its way."""
    return _change(order_id, lambda session: cancel_order(session, order_id))
