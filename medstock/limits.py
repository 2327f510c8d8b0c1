"""The largest values the database holds, the same on SQLite and PostgreSQL."""

from datetime import date
from decimal import Decimal

from medstock.errors import ValidationError

# PostgreSQL's INTEGER; SQLite would hold more, and a file valid on one backend
# must be valid on the other.
MAX_WHOLE = 2_147_483_647
# Numeric(12, 2): ten digits before the point, two after.
MAX_AMOUNT = Decimal("9999999999.99")
# Expiry dates outside these years are typing errors (0001, 2300), not labels.
FIRST_EXPIRY_YEAR = 2000
LAST_EXPIRY_YEAR = 2099
OUTSIDE_EXPIRY_YEARS = (
    f"is outside the years {FIRST_EXPIRY_YEAR} to {LAST_EXPIRY_YEAR}; check the "
    "year on the label and write YYYY-MM-DD, such as 2027-03-31"
)


def check_expiry_date(value: date | None) -> None:
    """Raise ValidationError when `value` lies outside the expiry years."""
    if value is not None and not FIRST_EXPIRY_YEAR <= value.year <= LAST_EXPIRY_YEAR:
        raise ValidationError(
            f"expiry date {value.isoformat()!r} {OUTSIDE_EXPIRY_YEARS}"
        )
