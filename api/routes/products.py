"""Products: list, detail, create and update (stock moves only by movements)."""

from fastapi import APIRouter, HTTPException, status

from api.deps import Authorized, SessionDep
from api.params import Limit, Offset, ProductId, SearchText
from api.schemas import (
    LotOut,
    MovementOut,
    OrderOut,
    ProductCreate,
    ProductDetail,
    ProductOut,
    ProductPage,
    ProductUpdate,
)
from medstock import queries
from medstock.db import session_scope
from medstock.errors import ConflictError, NotFoundError, ValidationError
from medstock.products import create_product, update_product
from models import Product

router = APIRouter(prefix="/products", tags=["products"])

PRODUCT_NOT_FOUND = "product not found"
SKU_EXISTS = "sku already exists"
MAX_BELOW_MIN = "max_stock must not be below min_stock"


@router.get("")
def read_products(
    session: SessionDep,
    search: SearchText = None,
    category: SearchText = None,
    critical: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ProductPage:
    """Products by SKU; `search` matches SKU or name, `critical` keeps those short."""
    page = queries.list_products(
        session,
        search=search,
        category=category,
        critical=critical,
        limit=limit,
        offset=offset,
    )
    items = [ProductOut.model_validate(p) for p in page.items]
    return ProductPage(items=items, total=page.total, limit=limit, offset=offset)


@router.get("/{product_id}", responses={404: {"description": PRODUCT_NOT_FOUND}})
def read_product(product_id: ProductId, session: SessionDep) -> ProductDetail:
    """One product with its lots, open orders and latest movements."""
    product = session.get(Product, product_id)
    if product is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, PRODUCT_NOT_FOUND)
    lots = queries.product_lots(session, product_id)
    orders = queries.open_orders(session, product_id=product_id)
    moves = queries.recent_movements(session, product_id)
    return ProductDetail(
        **ProductOut.model_validate(product).model_dump(),
        lots=[LotOut.model_validate(lot) for lot in lots],
        open_orders=[OrderOut(**order) for order in orders],
        recent_movements=[MovementOut.model_validate(m) for m in moves],
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=Authorized,
    responses={409: {"description": SKU_EXISTS}},
)
def add_product(body: ProductCreate) -> ProductOut:
    """Add a product with no stock; stock arrives through movements."""
    try:
        with session_scope(writer=True) as session:
            product = create_product(session, **body.model_dump())
            return ProductOut.model_validate(product)
    except ConflictError:
        raise HTTPException(status.HTTP_409_CONFLICT, SKU_EXISTS) from None


@router.patch(
    "/{product_id}",
    dependencies=Authorized,
    responses={404: {"description": PRODUCT_NOT_FOUND}},
)
def edit_product(product_id: ProductId, body: ProductUpdate) -> ProductOut:
    """Change a product's catalogue fields; stock cannot be set here."""
    try:
        with session_scope(writer=True) as session:
            product = update_product(session, product_id, **body.changes())
            return ProductOut.model_validate(product)
    except NotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, PRODUCT_NOT_FOUND) from None
    except ValidationError:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, MAX_BELOW_MIN
        ) from None
