"""The errors MedStock raises for a user to read."""


class MedStockError(Exception):
    """Base class of every error MedStock reports to a user."""


class SettingsError(MedStockError):
    """A setting from the environment or `.env` is invalid."""


class ValidationError(MedStockError):
    """Input that breaks a business rule; nothing was written."""


class NotFoundError(MedStockError):
    """A product, order, report or agent that does not exist was named."""


class ConflictError(MedStockError):
    """The request clashes with the current state, such as a closed order."""


class UnknownAgentError(NotFoundError):
    """An agent name that MedStock does not know."""
