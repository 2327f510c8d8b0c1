"""Expiry alerts raised by the expiry-check agent."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SessionDep
from api.params import Limit, Offset
from api.schemas import ExpiryAlertOut, ExpiryAlertPage
from medstock import queries

router = APIRouter(prefix="/expiry-alerts", tags=["expiry alerts"])

Bucket = Annotated[str | None, Query(pattern=r"^(EXPIRED|[0-9]{1,4})$")]


@router.get("")
def read_expiry_alerts(
    session: SessionDep, bucket: Bucket = None, limit: Limit = 50, offset: Offset = 0
) -> ExpiryAlertPage:
    """Alerts newest first; `bucket` is EXPIRED or a horizon in days, such as 30."""
    page = queries.list_expiry_alerts(
        session, bucket=bucket, limit=limit, offset=offset
    )
    items = [ExpiryAlertOut(**alert) for alert in page.items]
    return ExpiryAlertPage(items=items, total=page.total, limit=limit, offset=offset)
