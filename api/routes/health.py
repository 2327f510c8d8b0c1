"""The API's own health check."""

import logging

from fastapi import APIRouter, Response, status
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import SessionDep
from api.schemas import Health

router = APIRouter(tags=["health"])
logger = logging.getLogger(__name__)


@router.get("/health", responses={503: {"model": Health}})
def read_health(session: SessionDep, response: Response) -> Health:
    """`ok` when the API can query its database, else 503."""
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        logger.warning("health check: database unreachable (%s)", type(exc).__name__)
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return Health(status="error", database="unreachable")
    return Health(status="ok", database="ok")
