"""Purchase orders: list by status."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SessionDep
from api.params import Limit, Offset
from api.schemas import OrderOut, OrderPage
from medstock import queries
from models import OrderStatus

router = APIRouter(prefix="/orders", tags=["purchase orders"])


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
