"""The errors MedStock raises for a user to read."""

from collections.abc import Sequence
from dataclasses import dataclass


class MedStockError(Exception):
    """Base class of every error MedStock reports to a user."""


class SettingsError(MedStockError):
    """A setting from the environment or `.env` is invalid."""


@dataclass(frozen=True)
class Problem:
    """One bad cell (or row, with no column) of an imported file.

    Its row is the one a spreadsheet shows.
    """

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.column:
            return f"row {self.row}: {self.message}"
        return f"row {self.row}, column {self.column!r}: {self.message}"


class ValidationError(MedStockError):
    """Input that breaks a business rule; nothing was written."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class OutOfRangeError(ValidationError):
    """A number beyond what MedStock stores, such as a stock above 2147483647."""


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


class OutputFileError(MedStockError):
    """A file MedStock was asked to write cannot be written."""


class SchemaError(MedStockError):
    """The database's schema is one the migrations cannot take forward."""


class AgentNotDeployedError(NotFoundError):
    """A known agent whose deployment the Prefect server does not have."""


class PrefectUnavailableError(MedStockError):
    """The Prefect API did not answer."""
