"""The stock ledger: every change of stock is a movement booked with it."""

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlmodel import Session, col, select

from medstock.errors import (
    InsufficientStockError,
    NotFoundError,
    OutOfRangeError,
    ValidationError,
)
from medstock.expiry import is_expired, local_today
from medstock.limits import MAX_WHOLE, check_expiry_date
from medstock.text import plural
from models import Lot, MovementKind, Product, StockMovement, utcnow

logger = logging.getLogger(__name__)

REASON_MAX_LENGTH = 200


def _locked_product(session: Session, product_id: int) -> Product:
    # FOR UPDATE makes concurrent movements of one product queue on PostgreSQL;
    # SQLite's writer transaction already excludes them.
    product = session.get(Product, product_id, with_for_update=True)
    if product is None:
        raise NotFoundError(
            f"product {product_id!r} does not exist; use the id of a listed product"
        )
    return product


def product_by_sku(session: Session, sku: str) -> Product:
    """The product with `sku`, or NotFoundError saying how to find or add it."""
    product = session.exec(select(Product).where(Product.sku == sku)).first()
    if product is None:
        raise NotFoundError(
            f"no product has the SKU {sku!r}; check the spelling (SKUs are case "
            "sensitive), or add it with `medstock import products`"
        )
    return product


def _check_input(
    product: Product, kind: MovementKind, quantity: int, reason: str
) -> None:
    if kind in (MovementKind.IN, MovementKind.OUT) and quantity <= 0:
        raise ValidationError(
            f"quantity {quantity!r} of an {kind.value} movement of {product.sku} "
            "is not above 0; give the number of units moved"
        )
    if kind is MovementKind.ADJUST and quantity == 0:
        raise ValidationError(
            f"quantity 0 of an ADJUST movement of {product.sku} changes nothing; "
            "give the signed difference, such as -3 or 12"
        )
    if abs(quantity) > MAX_WHOLE:
        raise OutOfRangeError(
            f"quantity {quantity!r} of a movement of {product.sku} is beyond "
            f"{MAX_WHOLE}, the largest whole number MedStock stores; check it"
        )
    if not reason.strip() or len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            f"reason {reason!r} of a movement of {product.sku} must be 1 to "
            f"{REASON_MAX_LENGTH} characters; say why the stock changed"
        )


def _lots_by_expiry(session: Session, product: Product) -> list[Lot]:
    # First expiry first out; lots without a date go last, older receipts first.
    return list(
        session.exec(
            select(Lot)
            .where(Lot.product_id == product.id, Lot.quantity > 0)
            .order_by(
                col(Lot.expiry_date).is_(None),
                col(Lot.expiry_date),
                col(Lot.received_at),
                col(Lot.id),
            )
            .with_for_update()
        ).all()
    )


def _named_lot(session: Session, product: Product, lot_number: str) -> Lot | None:
    return session.exec(
        select(Lot)
        .where(Lot.product_id == product.id, Lot.lot_number == lot_number)
        .with_for_update()
    ).first()


def _add_to_lot(
    session: Session,
    product: Product,
    units: int,
    lot_number: str | None,
    expiry_date: date | None,
) -> None:
    if not lot_number:
        raise ValidationError(
            f"{product.sku} tracks expiry, so adding stock needs a lot number; "
            "give lot_number (and expiry_date for a new lot)"
        )
    lot = _named_lot(session, product, lot_number)
    if lot is None and expiry_date is None:
        raise ValidationError(
            f"lot {lot_number!r} of {product.sku} is new, so it needs the expiry date "
            "from the delivery label; give expiry_date (YYYY-MM-DD), or name an "
            "existing lot"
        )
    if lot is None:
        assert product.id is not None  # a product read from the database
        session.add(
            Lot(
                product_id=product.id,
                lot_number=lot_number,
                expiry_date=expiry_date,
                quantity=units,
            )
        )
        return
    if expiry_date is not None and lot.expiry_date not in (None, expiry_date):
        raise ValidationError(
            f"lot {lot_number!r} of {product.sku} expires on {lot.expiry_date}, not "
            f"{expiry_date}; check the label or use a new lot number"
        )
    lot.expiry_date = lot.expiry_date or expiry_date
    lot.quantity += units
    lot.updated_at = utcnow()
    session.add(lot)


def _take_from_lots(
    session: Session,
    product: Product,
    units: int,
    lot_number: str | None,
    *,
    expired_on: date | None,
) -> None:
    if lot_number:
        lot = _named_lot(session, product, lot_number)
        if lot is None:
            raise NotFoundError(
                f"{product.sku} has no lot {lot_number!r}; name one of its lots or "
                "leave the lot out to take first-expiry-first-out"
            )
        lots = [lot]
    else:
        lots = _lots_by_expiry(session, product)
        if expired_on is not None:
            # Consumption never dispenses an expired lot; disposing of one names it.
            lots = [lot for lot in lots if not is_expired(lot.expiry_date, expired_on)]

    available = sum(lot.quantity for lot in lots)
    if units > available and available < product.stock and not lot_number:
        raise InsufficientStockError(
            f"cannot take {plural(units, 'unit')} from {product.sku}: only "
            f"{available} of its {product.stock} on hand are in lots that have not "
            "expired; book a smaller quantity, or name the expired lot to dispose of it"
        )
    if units > available:
        where = f"lot {lot_number!r} of " if lot_number else ""
        raise InsufficientStockError(
            f"cannot take {plural(units, 'unit')} from {where}{product.sku}: only "
            f"{available} on hand; book a smaller quantity or receive stock first"
        )
    now = utcnow()
    for lot in lots:
        taken = min(units, lot.quantity)
        lot.quantity -= taken
        lot.updated_at = now
        session.add(lot)
        units -= taken
        if units == 0:
            break


def record_movement(
    session: Session,
    *,
    product_id: int,
    kind: MovementKind,
    quantity: int,
    reason: str,
    lot_number: str | None = None,
    expiry_date: date | None = None,
    today: date | None = None,
) -> StockMovement:
    """Book a movement and change stock and lots with it, in the same transaction.

    IN adds to a lot, OUT takes first-expiry-first-out from lots that have not
    expired by `today` (or from the lot named), ADJUST is signed and does either.
    Nothing changes when a rule is broken. Call it in a
    `session_scope(writer=True)`, so that its read-then-write never interleaves
    with another writer's.
    """
    kind = MovementKind(kind)
    product = _locked_product(session, product_id)
    _check_input(product, kind, quantity, reason)
    if not product.tracks_expiry and (lot_number or expiry_date):
        raise ValidationError(
            f"{product.sku} does not track expiry, so its stock has no lots; "
            "leave lot_number and expiry_date out"
        )

    check_expiry_date(expiry_date)
    change = -quantity if kind is MovementKind.OUT else quantity
    if product.stock + change > MAX_WHOLE:
        raise OutOfRangeError(
            f"adding {plural(change, 'unit')} to {product.sku} would make its stock "
            f"{product.stock + change}, above {MAX_WHOLE}, the largest whole number "
            "MedStock stores; check the quantity"
        )
    if product.stock + change < 0:
        raise InsufficientStockError(
            f"cannot take {plural(-change, 'unit')} from {product.sku}: only "
            f"{product.stock} on hand; book a smaller quantity or receive stock first"
        )
    if product.tracks_expiry:
        if change > 0:
            _add_to_lot(session, product, change, lot_number, expiry_date)
        else:
            consuming = kind is MovementKind.OUT
            _take_from_lots(
                session,
                product,
                -change,
                lot_number,
                expired_on=(today or local_today()) if consuming else None,
            )

    now = utcnow()
    product.stock += change
    product.updated_at = now
    movement = StockMovement(
        product_id=product_id,
        kind=kind.value,
        quantity=quantity,
        reason=reason,
        created_at=now,
    )
    session.add(product)
    session.add(movement)
    session.flush()
    logger.info(
        "booked movement %s: %s %d of %s (%s), stock now %d",
        movement.id,
        kind.value,
        quantity,
        product.sku,
        reason,
        product.stock,
    )
    return movement


@dataclass(frozen=True)
class LedgerDifference:
    """A product whose stock disagrees with its ledger or with its lots."""

    product_id: int
    sku: str
    stock: int
    ledger_units: int
    lot_units: int | None

    def __str__(self) -> str:
        lots = "" if self.lot_units is None else f", lots {self.lot_units}"
        return f"{self.sku}: stock {self.stock}, ledger {self.ledger_units}{lots}"


_CHECK = """
WITH ledger AS (
    SELECT product_id,
           SUM(CASE WHEN kind = 'OUT' THEN -quantity ELSE quantity END) AS units
    FROM stock_movements
    GROUP BY product_id
), lot_totals AS (
    SELECT product_id, SUM(quantity) AS units
    FROM lots
    GROUP BY product_id
)
SELECT p.id, p.sku, p.stock, COALESCE(l.units, 0),
       CASE WHEN p.tracks_expiry THEN COALESCE(t.units, 0) END
FROM products AS p
LEFT JOIN ledger AS l ON l.product_id = p.id
LEFT JOIN lot_totals AS t ON t.product_id = p.id
WHERE p.stock <> COALESCE(l.units, 0)
   OR (p.tracks_expiry AND p.stock <> COALESCE(t.units, 0))
ORDER BY p.sku
"""


def check_ledger(session: Session) -> list[LedgerDifference]:
    """Every product whose stock is not the sum of its movements (and its lots)."""
    rows = session.execute(text(_CHECK)).all()
    return [
        LedgerDifference(
            int(pid), sku, int(stock), int(ledger), None if lots is None else int(lots)
        )
        for pid, sku, stock, ledger, lots in rows
    ]
