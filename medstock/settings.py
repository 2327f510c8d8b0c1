"""One settings class, read from `MEDSTOCK_*` variables and `.env`."""

import difflib
import os
from datetime import datetime
from functools import lru_cache
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError
from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from medstock.errors import SettingsError
from medstock.text import plural

ENV_PREFIX = "MEDSTOCK_"
SUPPORTED_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")
# Longest waits and horizons that make sense; larger ones are typos.
MAX_RETRY_DELAY_S = 3600
MAX_HORIZON_DAYS = 3650
# MEDSTOCK_* variables read by other parts than the settings class.
OTHER_VARIABLES = ("MEDSTOCK_PROJECT_DIR",)

# Each field's fix, shown after the reason when its value is rejected.
FIXES = {
    "database_url": "use a SQLAlchemy URL such as 'sqlite:///./data/medstock.db' "
    "or 'postgresql+psycopg://user@127.0.0.1:5432/medstock'",
    "stock_check_cron": "use five fields such as '*/5 * * * *'",
    "report_cron": "use five fields such as '0 6 * * *'",
    "expiry_cron": "use five fields such as '0 7 * * *'",
    "timezone": "use an IANA name such as 'UTC' or 'Europe/Madrid'",
    "retry_delays": "use whole seconds from 0 to 3600, separated by commas, "
    "such as '5,10,20'",
    "expiry_horizons": "use whole days from 1 to 3650, separated by commas, "
    "such as '30,60,90'",
    "api_port": "use a free TCP port from 1 to 65535",
    "prefect_port": "use a free TCP port from 1 to 65535",
    "reconcile_interval_seconds": "use whole seconds from 1 to 3600, such as 15",
    "heartbeat_seconds": "use whole seconds from 30 (Prefect's minimum) to 3600, "
    "such as 30",
    "heartbeat_window_seconds": "use whole seconds longer than "
    "MEDSTOCK_HEARTBEAT_SECONDS, such as 90 for heartbeats every 30 s",
    "pending_timeout_seconds": "use whole seconds from 30 to 86400, such as 120",
    "failing_after": "use a number of runs from 1 to 100, such as 3",
    "alert_webhook_url": "use an http:// or https:// URL, or leave it unset to "
    "send no notifications",
}

# Pydantic's wording for a broken bound, rephrased to follow the variable's value.
BOUND_REASONS = {
    "greater_than_equal": "is below the minimum {ge}",
    "less_than_equal": "is above the maximum {le}",
    "int_parsing": "is not a whole number",
}


def _split_ints(value: object) -> object:
    if isinstance(value, str):
        parts = [part.strip() for part in value.split(",")]
        if any(not part.lstrip("-").isdigit() for part in parts):
            raise ValueError("is not a list of whole numbers")
        return [int(part) for part in parts]
    return value


def _check_cron(value: str) -> str:
    fields = value.split()
    if len(fields) != 5:
        raise ValueError(
            f"is not a valid cron expression ({plural(len(fields), 'field')}, not 5)"
        )
    try:
        CronSim(value, datetime(2026, 1, 1))
    except CronSimError as exc:
        reason = str(exc).lower().rstrip(".")
        raise ValueError(f"is not a valid cron expression ({reason})") from None
    if not _prefect_accepts(cron=value):
        # cronsim knows extensions (L, W, #) that Prefect's scheduler refuses.
        raise ValueError("is a cron expression that Prefect cannot schedule")
    return value


def _prefect_accepts(*, cron: str = "* * * * *", timezone: str = "UTC") -> bool:
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=cron, timezone=timezone)
    except ValueError:
        return False
    return True


class Settings(BaseSettings):
    """MedStock's configuration; every field maps to `MEDSTOCK_<NAME>`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", extra="ignore"
    )

    database_url: str = Field(
        "sqlite:///./data/medstock.db", description="SQLAlchemy URL of the app DB"
    )
    stock_check_cron: str = Field("*/1 * * * *", description="stock-check schedule")
    report_cron: str = Field("*/2 * * * *", description="inventory-report schedule")
    expiry_cron: str = Field("0 7 * * *", description="expiry-check schedule")
    timezone: str = Field("UTC", description="timezone of the cron schedules")
    retry_delays: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: [5, 10, 20],
        description="seconds between the retries of a database task",
    )
    expiry_horizons: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: [30, 60, 90],
        description="days ahead at which lots are flagged as expiring",
    )

    api_host: str = Field("127.0.0.1", description="address the REST API binds")
    api_port: int = Field(8000, description="REST API port")
    api_token: str | None = Field(
        None, description="bearer token required by mutating API calls"
    )
    prefect_port: int = Field(4200, description="port of the demo's Prefect server")

    reconcile_interval_seconds: int = Field(
        15,
        ge=1,
        le=3600,
        description="seconds between two reconciliations with the Prefect API",
    )
    heartbeat_seconds: int = Field(
        30,
        ge=30,
        le=3600,
        description="seconds between the heartbeats of a running agent",
    )
    heartbeat_window_seconds: int = Field(
        90,
        ge=31,
        le=86400,
        description="seconds without a heartbeat after which a run is marked Crashed",
    )
    pending_timeout_seconds: int = Field(
        120,
        ge=30,
        le=86400,
        description="seconds a run may stay Pending before it is marked Crashed",
    )
    failing_after: int = Field(
        3,
        ge=1,
        le=100,
        description="consecutive failed runs that make an agent FAILING",
    )
    alert_webhook_url: str | None = Field(
        None, description="URL that receives a POST per failed run; unset sends none"
    )

    @field_validator("heartbeat_window_seconds")
    @classmethod
    def _window_beyond_heartbeat(cls, value: int, info: ValidationInfo) -> int:
        heartbeat = info.data.get("heartbeat_seconds")
        if heartbeat is not None and value <= heartbeat:
            raise ValueError(
                f"is not longer than MEDSTOCK_HEARTBEAT_SECONDS={heartbeat}"
            )
        return value

    @field_validator("alert_webhook_url")
    @classmethod
    def _valid_webhook(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("is not an http:// or https:// URL")
        return value

    @field_validator("database_url")
    @classmethod
    def _valid_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("is not a database URL") from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError(f"names the unsupported backend {url.drivername!r}")
        if url.drivername == "postgresql":
            # SQLAlchemy's default PostgreSQL driver is psycopg2; MedStock ships
            # psycopg 3.
            return url.set(drivername="postgresql+psycopg").render_as_string(False)
        if url.drivername not in SUPPORTED_DRIVERS:
            raise ValueError(f"names the driver {url.drivername!r}, not installed")
        return value

    @field_validator("api_port", "prefect_port")
    @classmethod
    def _valid_port(cls, value: int) -> int:
        if not 1 <= value <= 65535:
            raise ValueError("is not a TCP port")
        return value

    @field_validator("stock_check_cron", "report_cron", "expiry_cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        return _check_cron(value)

    @field_validator("timezone")
    @classmethod
    def _valid_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not a known timezone") from None
        if not _prefect_accepts(timezone=value):
            raise ValueError("is not a timezone Prefect can schedule in") from None
        return value

    @field_validator("retry_delays", mode="before")
    @classmethod
    def _parse_delays(cls, value: object) -> object:
        return _split_ints(value)

    @field_validator("retry_delays")
    @classmethod
    def _valid_delays(cls, value: list[int]) -> list[int]:
        if not value or any(delay < 0 for delay in value):
            raise ValueError("has a negative delay")
        if any(delay > MAX_RETRY_DELAY_S for delay in value):
            raise ValueError(f"has a delay above {MAX_RETRY_DELAY_S} s")
        return value

    @field_validator("expiry_horizons", mode="before")
    @classmethod
    def _parse_horizons(cls, value: object) -> object:
        return _split_ints(value)

    @field_validator("expiry_horizons")
    @classmethod
    def _valid_horizons(cls, value: list[int]) -> list[int]:
        if not value or any(days <= 0 for days in value):
            raise ValueError("has a horizon that is not above 0 days")
        if any(days > MAX_HORIZON_DAYS for days in value):
            raise ValueError(f"has a horizon above {MAX_HORIZON_DAYS} days")
        return sorted(set(value))


def _describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        value = error.get("input")
        reason = error["msg"].removeprefix("Value error, ")
        if error["type"] in BOUND_REASONS:
            reason = BOUND_REASONS[error["type"]].format(**error.get("ctx", {}))
        name = ENV_PREFIX + field.upper()
        fix = FIXES.get(field, "see the configuration table in the README")
        lines.append(f"{name}={value!r} {reason}; {fix}.")
    return "\n".join(lines)


def _unknown_variables() -> list[str]:
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    known.update(OTHER_VARIABLES)
    return sorted(
        name
        for name in os.environ
        if name.startswith(ENV_PREFIX)
        and name not in known
        and not name.startswith(ENV_PREFIX + "TEST_")
    )


def load_settings() -> Settings:
    """Read the settings, raising SettingsError that names each bad variable."""
    problems = []
    for name in _unknown_variables():
        close = difflib.get_close_matches(
            name.removeprefix(ENV_PREFIX).lower(), list(Settings.model_fields), n=1
        )
        hint = (
            f"did you mean {ENV_PREFIX}{close[0].upper()}?"
            if close
            else ("see the configuration table in the README for the settings")
        )
        problems.append(f"{name} is not a MedStock setting; {hint}")
    try:
        settings = Settings()
    except ValidationError as exc:
        problems.append(_describe(exc))
    if problems:
        raise SettingsError("\n".join(problems))
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return load_settings()
