"""The dashboard page and the one payload it polls."""

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.cards import agent_cards
from api.deps import SessionDep
from api.prefect_ui import prefect_ui_url
from api.schemas import (
    Dashboard,
    HourlyRuns,
    Kpis,
    OrderOut,
    ProductOut,
    TaskLogOut,
)
from medstock import queries
from models import utcnow

router = APIRouter()

LISTED = 20


@router.get("/api/dashboard", tags=["dashboard"])
def read_dashboard(session: SessionDep) -> Dashboard:
    """KPIs, critical products, open orders, agents, latest runs and chart data."""
    now = utcnow()
    return Dashboard(
        generated_at=now,
        prefect_ui=prefect_ui_url(),
        kpis=Kpis(**queries.inventory_kpis(session)),
        critical_products=[
            ProductOut.model_validate(p)
            for p in queries.critical_products(session, limit=LISTED)
        ],
        open_orders=[OrderOut(**o) for o in queries.open_orders(session, limit=LISTED)],
        agents=agent_cards(session),
        task_logs=[
            TaskLogOut.model_validate(t)
            for t in queries.latest_task_logs(session, limit=LISTED)
        ],
        runs_per_hour=[
            HourlyRuns(**row) for row in queries.runs_per_hour(session, now=now)
        ],
    )


@router.get("/", include_in_schema=False)
def dashboard_page() -> HTMLResponse:
    """The dashboard: plain HTML whose script polls /api/dashboard."""
    page = resources.files("api.static").joinpath("index.html")
    return HTMLResponse(page.read_text(encoding="utf-8"))
