"""The FastAPI app: the REST API under /api, the dashboard at /."""

from importlib import resources

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from api.errors import install_error_handlers
from api.routes import (
    agents,
    dashboard,
    expiry,
    health,
    movements,
    orders,
    products,
    reports,
)

DESCRIPTION = (
    "Inventory, purchase orders, reports and the supervisor of MedStock's agents. "
    "When MEDSTOCK_API_TOKEN is set, every call that changes something needs "
    "`Authorization: Bearer <token>`."
)


def create_app() -> FastAPI:
    """A new app with every router, the error handlers and the dashboard assets."""
    app = FastAPI(title="MedStock", version="0.1.0", description=DESCRIPTION)
    install_error_handlers(app)

    rest = APIRouter(prefix="/api")
    for module in (products, movements, orders, expiry, reports, agents, health):
        rest.include_router(module.router)
    app.include_router(rest)
    app.include_router(dashboard.router)

    static = resources.files("api.static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    return app
