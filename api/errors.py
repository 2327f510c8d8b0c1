"""Error responses: fixed short details, no stack trace in a response or a log."""

import logging

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.middleware.base import RequestResponseEndpoint

logger = logging.getLogger(__name__)

INVALID_REQUEST = "invalid request"
INTERNAL_ERROR = "internal error"


async def _invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    # Location and reason only: the rejected input is not echoed back.
    errors = [
        {
            "loc": [str(part) for part in error["loc"]],
            "msg": error["msg"].removeprefix("Value error, "),
        }
        for error in exc.errors()
    ]
    return JSONResponse(
        {"detail": INVALID_REQUEST, "errors": errors},
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


async def _contain_errors(
    request: Request, call_next: RequestResponseEndpoint
) -> Response:
    try:
        return await call_next(request)
    except Exception as exc:
        # The type names the fault; its text may hold SQL or connection strings.
        logger.error(
            "request %s %s failed: %s",
            request.method,
            request.url.path,
            type(exc).__name__,
        )
        return JSONResponse(
            {"detail": INTERNAL_ERROR},
            status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )


def install_error_handlers(app: FastAPI) -> None:
    """Register the validation handler and the catch-all for unexpected errors."""
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.middleware("http")(_contain_errors)
