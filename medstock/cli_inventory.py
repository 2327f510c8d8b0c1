"""The `medstock stock` and `medstock orders` commands: movements and orders."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from medstock.text import plural

# The database layer is imported inside the commands: `medstock --help` stays quick.
if TYPE_CHECKING:
    from sqlmodel import Session

    from models import Product

stock_app = typer.Typer(
    no_args_is_help=True, help="Book stock movements: IN, OUT or a signed ADJUST."
)
orders_app = typer.Typer(
    no_args_is_help=True, help="Purchase orders: list, mark ordered, receive, cancel."
)


def register(app: typer.Typer) -> None:
    """Add the stock and orders commands to the `medstock` command line."""
    app.add_typer(stock_app, name="stock")
    app.add_typer(orders_app, name="orders")


Sku = Annotated[str, typer.Argument(help="the product's SKU, such as GLV-NIT-M")]
Reason = Annotated[str, typer.Option("--reason", help="why the stock changes")]
LotNumber = Annotated[
    str | None, typer.Option("--lot", help="lot number, for products that track expiry")
]
Expiry = Annotated[
    datetime | None,
    typer.Option(
        "--expiry", formats=["%Y-%m-%d"], help="expiry date of a new lot, YYYY-MM-DD"
    ),
]
OrderId = Annotated[int, typer.Argument(help="the purchase order's id")]


def _day(moment: datetime | None) -> date | None:
    return None if moment is None else moment.date()


def _book(
    kind: str,
    sku: str,
    quantity: int,
    reason: str,
    lot: str | None,
    expiry: datetime | None,
) -> None:
    from medstock.db import session_scope
    from medstock.ledger import product_by_sku, record_movement
    from models import MovementKind

    with session_scope(writer=True) as session:
        product = product_by_sku(session, sku)
        assert product.id is not None  # a product read from the database
        movement = record_movement(
            session,
            product_id=product.id,
            kind=MovementKind(kind),
            quantity=quantity,
            reason=reason,
            lot_number=lot,
            expiry_date=_day(expiry),
        )
        stock = product.stock
    typer.echo(
        f"booked movement {movement.id}: {kind} {quantity} of {sku}, stock now {stock}"
    )


# Negative quantities such as -3 would otherwise be read as unknown options: let
# them through, so that the ledger's own message says what is wrong.
SIGNED = {"ignore_unknown_options": True}


@stock_app.command("in", context_settings=SIGNED)
def stock_in(
    sku: Sku,
    quantity: Annotated[int, typer.Argument(help="units received, above 0")],
    reason: Reason,
    lot: LotNumber = None,
    expiry: Expiry = None,
) -> None:
    """Add received units; a tracked product names its lot (and a new lot's expiry)."""
    _book("IN", sku, quantity, reason, lot, expiry)


@stock_app.command("out", context_settings=SIGNED)
def stock_out(
    sku: Sku,
    quantity: Annotated[int, typer.Argument(help="units taken, above 0")],
    reason: Reason,
    lot: LotNumber = None,
) -> None:
    """Take units, first-expiry-first-out from lots that have not expired."""
    _book("OUT", sku, quantity, reason, lot, None)


@stock_app.command("adjust", context_settings=SIGNED)
def stock_adjust(
    sku: Sku,
    quantity: Annotated[
        int, typer.Argument(help="signed difference from a count, such as -3 or 12")
    ],
    reason: Reason,
    lot: LotNumber = None,
    expiry: Expiry = None,
) -> None:
    """Correct the stock by a signed difference, such as after a count."""
    _book("ADJUST", sku, quantity, reason, lot, expiry)


@orders_app.command("list")
def orders_list(
    status: Annotated[
        str | None,
        typer.Option(
            "--status", help="only orders in it: PENDING, ORDERED, RECEIVED, CANCELLED"
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="show at most this many")
    ] = 100,
) -> None:
    """List purchase orders, newest first."""
    from medstock.db import session_scope
    from medstock.orders import list_orders
    from models import OrderStatus

    try:
        wanted = None if status is None else OrderStatus(status.upper())
    except ValueError:
        choices = ", ".join(member.value for member in OrderStatus)
        raise typer.BadParameter(
            f"{status!r} is not an order status; use one of {choices}",
            param_hint="--status",
        ) from None
    with session_scope() as session:
        rows, total = list_orders(session, status=wanted, limit=limit)
    width = max([len("sku"), *(len(sku) for _order, sku in rows)])
    if rows:
        typer.echo(f"{'id':>5}  {'status':<9}  {'sku':<{width}}  quantity  created")
    for order, sku in rows:
        typer.echo(
            f"{order.id:>5}  {order.status:<9}  {sku:<{width}}  {order.quantity:>8}  "
            f"{order.created_at.date()}"
        )
    shown = f"{len(rows)} of " if total > len(rows) else ""
    narrow = "; narrow with --status or raise --limit" if shown else ""
    typer.echo(f"{shown}{plural(total, 'purchase order')}{narrow}")


def _product_of(session: "Session", product_id: int) -> "Product":
    from models import Product

    product = session.get(Product, product_id)
    assert product is not None  # the foreign key guarantees it
    return product


@orders_app.command("mark-ordered")
def orders_mark_ordered(order_id: OrderId) -> None:
    """Record that a PENDING order was sent to the supplier."""
    from medstock.db import session_scope
    from medstock.orders import mark_ordered

    with session_scope(writer=True) as session:
        order = mark_ordered(session, order_id)
        sku = _product_of(session, order.product_id).sku
    typer.echo(f"purchase order {order.id} for {sku} is now {order.status}")


@orders_app.command("receive")
def orders_receive(
    order_id: OrderId,
    lot: LotNumber = None,
    expiry: Annotated[
        datetime | None,
        typer.Option(
            "--expiry",
            formats=["%Y-%m-%d"],
            help="expiry date on the delivery label, YYYY-MM-DD",
        ),
    ] = None,
) -> None:
    """Receive an ORDERED order: book its units in, with lot and expiry if tracked."""
    from medstock.db import session_scope
    from medstock.orders import receive_order

    with session_scope(writer=True) as session:
        order = receive_order(
            session, order_id, lot_number=lot, expiry_date=_day(expiry)
        )
        product = _product_of(session, order.product_id)
    typer.echo(
        f"purchase order {order.id} for {product.sku} is now {order.status}: "
        f"{plural(order.quantity, 'unit')} in, stock now {product.stock}"
    )


@orders_app.command("cancel")
def orders_cancel(order_id: OrderId) -> None:
    """Cancel a PENDING or ORDERED order."""
    from medstock.db import session_scope
    from medstock.orders import cancel_order

    with session_scope(writer=True) as session:
        order = cancel_order(session, order_id)
        sku = _product_of(session, order.product_id).sku
    typer.echo(f"purchase order {order.id} for {sku} is now {order.status}")
