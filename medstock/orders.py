"""The purchase-order lifecycle: PENDING -> ORDERED -> RECEIVED, or CANCELLED."""

import logging
from datetime import date

from sqlmodel import Session, col, func, select

from medstock.errors import ConflictError, NotFoundError, ValidationError
from medstock.ledger import record_movement
from models import MovementKind, OrderStatus, Product, PurchaseOrder, utcnow

logger = logging.getLogger(__name__)

NEXT_STATUSES: dict[OrderStatus, tuple[OrderStatus, ...]] = {
    OrderStatus.PENDING: (OrderStatus.ORDERED, OrderStatus.CANCELLED),
    OrderStatus.ORDERED: (OrderStatus.RECEIVED, OrderStatus.CANCELLED),
    OrderStatus.RECEIVED: (),
    OrderStatus.CANCELLED: (),
}


def list_orders(
    session: Session, *, status: OrderStatus | None = None, limit: int = 100
) -> tuple[list[tuple[PurchaseOrder, str]], int]:
    """The newest orders with their SKU, at most `limit`, and how many there are."""
    query = select(PurchaseOrder, Product.sku).join(
        Product, col(Product.id) == col(PurchaseOrder.product_id)
    )
    count = select(func.count()).select_from(PurchaseOrder)
    if status is not None:
        query = query.where(PurchaseOrder.status == status.value)
        count = count.where(PurchaseOrder.status == status.value)
    rows = session.exec(query.order_by(col(PurchaseOrder.id).desc()).limit(limit))
    return [(order, sku) for order, sku in rows], session.exec(count).one()


def _locked_order(session: Session, order_id: int) -> PurchaseOrder:
    order = session.get(PurchaseOrder, order_id, with_for_update=True)
    if order is None:
        raise NotFoundError(
            f"purchase order {order_id!r} does not exist; use the id of a listed order"
        )
    return order


def _check_transition(order: PurchaseOrder, target: OrderStatus) -> None:
    current = OrderStatus(order.status)
    allowed = NEXT_STATUSES[current]
    if target not in allowed:
        choices = " or ".join(status.value for status in allowed) or "nothing"
        raise ConflictError(
            f"purchase order {order.id} is {current.value} and cannot become "
            f"{target.value}; from {current.value} it can become {choices}"
        )


def _move(session: Session, order: PurchaseOrder, target: OrderStatus) -> None:
    _check_transition(order, target)
    current = order.status
    order.status = target.value
    order.updated_at = utcnow()
    session.add(order)
    session.flush()
    logger.info("purchase order %s %s -> %s", order.id, current, target.value)


def mark_ordered(session: Session, order_id: int) -> PurchaseOrder:
    """Record that a PENDING order was sent to the supplier."""
    order = _locked_order(session, order_id)
    _move(session, order, OrderStatus.ORDERED)
    return order


def cancel_order(session: Session, order_id: int) -> PurchaseOrder:
    """Cancel a PENDING or ORDERED order; it no longer counts as stock on the way."""
    order = _locked_order(session, order_id)
    _move(session, order, OrderStatus.CANCELLED)
    return order


def receive_order(
    session: Session,
    order_id: int,
    *,
    lot_number: str | None = None,
    expiry_date: date | None = None,
) -> PurchaseOrder:
    """Receive an ORDERED order: book its IN movement and its lot with it."""
    order = _locked_order(session, order_id)
    # Checked before the movement so that a refused receipt books nothing.
    _check_transition(order, OrderStatus.RECEIVED)
    product = session.get(Product, order.product_id)
    assert product is not None  # the foreign key guarantees it
    if product.tracks_expiry and (not lot_number or expiry_date is None):
        raise ValidationError(
            f"{product.sku} tracks expiry, so receiving purchase order {order.id} "
            f"needs lot_number and expiry_date from the delivery label; got "
            f"lot_number={lot_number!r}, expiry_date={expiry_date!r}"
        )
    record_movement(
        session,
        product_id=order.product_id,
        kind=MovementKind.IN,
        quantity=order.quantity,
        reason=f"purchase order {order.id} received",
        lot_number=lot_number,
        expiry_date=expiry_date,
    )
    _move(session, order, OrderStatus.RECEIVED)
    return order
