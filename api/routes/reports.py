"""Inventory reports: the latest, a page of them, one by id."""

from fastapi import APIRouter, HTTPException, status

from api.deps import SessionDep
from api.params import Limit, Offset, ReportId
from api.schemas import ReportOut, ReportPage
from medstock import queries
from models import Report

router = APIRouter(prefix="/reports", tags=["reports"])

REPORT_NOT_FOUND = "report not found"
NO_REPORT_YET = "no report yet"


@router.get("/latest", responses={404: {"description": NO_REPORT_YET}})
def read_latest_report(session: SessionDep) -> ReportOut:
    """The newest inventory report."""
    report = queries.latest_report(session)
    if report is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NO_REPORT_YET)
    return ReportOut.model_validate(report)


@router.get("")
def read_reports(
    session: SessionDep,
    limit: Limit = 20,
    offset: Offset = 0,
) -> ReportPage:
    """Inventory reports, newest first."""
    page = queries.list_reports(session, limit=limit, offset=offset)
    items = [ReportOut.model_validate(r) for r in page.items]
    return ReportPage(items=items, total=page.total, limit=limit, offset=offset)


@router.get("/{report_id}", responses={404: {"description": REPORT_NOT_FOUND}})
def read_report(report_id: ReportId, session: SessionDep) -> ReportOut:
    """One inventory report by id."""
    report = session.get(Report, report_id)
    if report is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, REPORT_NOT_FOUND)
    return ReportOut.model_validate(report)
