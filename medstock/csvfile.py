"""Reading spreadsheet CSV exports and checking their cells, column by column."""

from collections.abc import Sequence
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pandas as pd

from medstock.errors import Problem, ValidationError

TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0", ""}


def spreadsheet_row(index: int) -> int:
    """The row a spreadsheet shows for a data row: the header is row 1."""
    return index + 2


def read_table(path: Path) -> pd.DataFrame:
    """The file's cells as stripped text; UTF-8 with or without BOM, `,` or `;`."""
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ValidationError(f"{str(path)!r} does not exist; check the path") from None
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{path.name!r} is not UTF-8 text ({exc.reason} at byte {exc.start}); "
            "save it from the spreadsheet as 'CSV UTF-8'"
        ) from None
    header = content.splitlines()[0] if content.strip() else ""
    if not header:
        raise ValidationError(f"{path.name!r} is empty; export the sheet with a header")
    separator = ";" if header.count(";") > header.count(",") else ","
    frame = pd.read_csv(
        StringIO(content),
        sep=separator,
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=False,
    ).fillna("")
    frame.columns = [str(name).strip().lower() for name in frame.columns]
    frame = frame.apply(lambda column: column.str.strip())
    # Blank lines are dropped after reading so that row numbers stay the file's.
    return frame[frame.ne("").any(axis=1)]


class CellChecks:
    """Collects every problem of a file; each check returns the parsed column."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.problems: list[Problem] = []

    def columns(self, required: Sequence[str], optional: Sequence[str]) -> bool:
        """Check the header; False when rows cannot be read for lack of a column."""
        known = [*required, *optional]
        for name in required:
            if name not in self.frame.columns:
                self.problems.append(
                    Problem(
                        1, name, f"is missing; the header needs {', '.join(required)}"
                    )
                )
        for name in self.frame.columns:
            if name not in known:
                self.problems.append(
                    Problem(
                        1,
                        name,
                        f"is not a column MedStock reads; use {', '.join(known)}",
                    )
                )
        return all(name in self.frame.columns for name in required)

    def cells(self, column: str) -> pd.Series:
        """The column's text, or empty cells when the optional column is absent."""
        if column in self.frame.columns:
            return self.frame[column]
        return pd.Series("", index=self.frame.index, dtype=str)

    def flag(self, mask: pd.Series, column: str, message: str) -> None:
        """Add a problem for each row where `mask` holds; {value} names the cell."""
        values = self.cells(column)
        # Comparisons with empty cells give NA, which is no problem of its own.
        hits = mask.astype("boolean").fillna(False).to_numpy(dtype=bool)
        for index in self.frame.index[hits]:
            value = values[index]
            self.problems.append(
                Problem(spreadsheet_row(index), column, message.format(value=value))
            )

    def text(self, column: str, *, max_length: int, required: bool = True) -> pd.Series:
        """A text column; empty cells are problems when it is required."""
        values = self.cells(column)
        if required:
            self.flag(values.eq(""), column, f"is empty; every row needs a {column}")
        self.flag(
            values.str.len() > max_length,
            column,
            f"{{value!r}} is longer than {max_length} characters; shorten it",
        )
        return values

    def whole(self, column: str, *, minimum: int, required: bool = True) -> pd.Series:
        """A whole-number column at or above `minimum`; empty cells give NA."""
        values = self.cells(column)
        blank = values.eq("")
        numbers = pd.to_numeric(values.where(~blank), errors="coerce")
        not_whole = ~blank & (numbers.isna() | (numbers % 1 != 0))
        below = ~blank & ~not_whole & (numbers < minimum)
        if required:
            self.flag(
                blank, column, f"is empty; give a whole number of {minimum} or more"
            )
        self.flag(
            not_whole,
            column,
            "{value!r} is not a whole number; write digits only, such as 12",
        )
        self.flag(
            below, column, f"{{value!r}} is below {minimum}; use {minimum} or more"
        )
        return numbers.where(~not_whole & ~below).round().astype("Int64")

    def amount(self, column: str) -> pd.Series:
        """A required money column: 0 or more with at most two decimals."""
        values = self.cells(column).str.replace(",", ".", regex=False)
        blank = values.eq("")
        negative = values.str.fullmatch(r"-\d+(\.\d+)?")
        bad = ~blank & ~negative & ~values.str.fullmatch(r"\d+(\.\d{1,2})?")
        self.flag(blank, column, "is empty; give an amount such as 6.80")
        self.flag(negative, column, "{value!r} is below 0; use 0 or more")
        self.flag(
            bad,
            column,
            "{value!r} is not an amount with at most 2 decimals, such as 6.80",
        )
        ok = ~(blank | negative | bad)
        return values.where(ok).map(
            lambda v: Decimal(v) if isinstance(v, str) else None
        )

    def flag_bool(self, column: str) -> pd.Series:
        """An optional yes/no column; empty means no."""
        values = self.cells(column).str.lower()
        bad = ~values.isin(TRUE_WORDS | FALSE_WORDS)
        self.flag(bad, column, "{value!r} is not true or false; write true or false")
        return values.isin(TRUE_WORDS)

    def iso_date(self, column: str) -> pd.Series:
        """An optional date column in YYYY-MM-DD; empty cells give None."""
        values = self.cells(column)
        blank = values.eq("")
        parsed = pd.to_datetime(
            values.where(~blank), format="%Y-%m-%d", errors="coerce"
        )
        self.flag(
            ~blank & parsed.isna(),
            column,
            "{value!r} is not a real date; write YYYY-MM-DD, such as 2027-03-31",
        )
        return parsed.map(lambda moment: None if pd.isna(moment) else moment.date())

    def raise_if_any(self, path: Path) -> None:
        """Raise ValidationError listing every problem, in row then column order."""
        if not self.problems:
            return
        order = {name: rank for rank, name in enumerate(self.frame.columns)}
        self.problems.sort(key=lambda p: (p.row, order.get(p.column, len(order))))
        count = len(self.problems)
        lines = "\n".join(str(problem) for problem in self.problems)
        raise ValidationError(
            f"{path.name} has {count} problem{'s' if count > 1 else ''}; nothing was "
            f"imported; fix the file and import it again:\n{lines}",
            self.problems,
        )
