"""The errors MedStock raises for a user to read."""

from collections.abc import Sequence
from dataclasses import dataclass


class MedStockError(Exception):
    """Base class of every error MedStock reports to a user."""


class SettingsError(MedStockError):
    """A setting from the environment or `.env` is invalid."""


@dataclass(frozen=True)
class Problem:
    """One bad cell of an imported file: its row as a spreadsheet numbers it."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column!r}: {self.message}"


class ValidationError(MedStockError):
    """Input that breaks a business rule; nothing was written."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class NotFoundError(MedStockError):
    """A product, order, report or agent that does not exist was named."""


class ConflictError(MedStockError):
    """The request clashes with the current state, such as a closed order."""


class InsufficientStockError(ConflictError):
    """An OUT or negative ADJUST larger than the stock on hand."""


class UnknownAgentError(NotFoundError):
    """An agent name that MedStock does not know."""


class ProjectDirError(MedStockError):
    """A worker cannot find the MedStock project folder its flow runs need."""


class SchemaError(MedStockError):
    """The database's schema is one the migrations cannot take forward."""
