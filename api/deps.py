"""Dependencies of the routes: a database session and the bearer-token check."""

import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from medstock.db import get_engine
from medstock.settings import get_settings

UNAUTHORIZED = "missing or invalid token"

_bearer = HTTPBearer(auto_error=False, description="MEDSTOCK_API_TOKEN, when set")


def get_session() -> Iterator[Session]:
    """A read session; routes that write use `session_scope(writer=True)`."""
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


def require_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Refuse a mutating call without the configured bearer token (if one is set)."""
    expected = get_settings().api_token
    if not expected:
        return
    given = credentials.credentials if credentials else ""
    # compare_digest takes as long whatever the first differing byte is.
    if not secrets.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            UNAUTHORIZED,
            headers={"WWW-Authenticate": "Bearer"},
        )


SessionDep = Annotated[Session, Depends(get_session)]
Authorized = [Depends(require_token)]
