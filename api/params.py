"""Path and query parameters shared by the routes, bounded to storable values."""

from typing import Annotated

from fastapi import Path, Query

from api.schemas import PRINTABLE

MAX_ID = 2_147_483_647

ProductId = Annotated[int, Path(ge=1, le=MAX_ID)]
OrderId = Annotated[int, Path(ge=1, le=MAX_ID)]
ReportId = Annotated[int, Path(ge=1, le=MAX_ID)]
AgentName = Annotated[str, Path(max_length=64, pattern=r"^[a-z0-9-]+$")]
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=1_000_000_000)]
SearchText = Annotated[str | None, Query(max_length=200, pattern=PRINTABLE)]
