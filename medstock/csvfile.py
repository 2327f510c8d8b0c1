"""Reading spreadsheet CSV exports and checking their cells, column by column."""

import csv
from collections.abc import Sequence
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pandas as pd

from medstock.errors import Problem, ValidationError
from medstock.limits import (
    FIRST_EXPIRY_YEAR,
    LAST_EXPIRY_YEAR,
    MAX_AMOUNT,
    MAX_WHOLE,
    OUTSIDE_EXPIRY_YEARS,
)
from medstock.text import plural

TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0", ""}
# A file of thousands of bad rows is fixed from its first problems, not all of them.
PROBLEM_LIST_LIMIT = 50


def spreadsheet_row(index: int) -> int:
    """The row a spreadsheet shows for a data row: the header is row 1."""
    return index + 2


def _problem_error(path: Path, problems: list[Problem]) -> ValidationError:
    count = len(problems)
    lines = [str(problem) for problem in problems[:PROBLEM_LIST_LIMIT]]
    if count > PROBLEM_LIST_LIMIT:
        lines.append(f"and {plural(count - PROBLEM_LIST_LIMIT, 'more problem')}")
    return ValidationError(
        f"{path.name} has {plural(count, 'problem')}; nothing was imported; fix the "
        "file and import it again:\n" + "\n".join(lines),
        problems,
    )


def _records(path: Path, content: str, separator: str) -> list[list[str]]:
    reader = csv.reader(StringIO(content), delimiter=separator, strict=True)
    records: list[list[str]] = []
    while True:
        first_line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return records
        except csv.Error as exc:
            row = len(records) + 1
            if "unexpected end of data" in str(exc):
                reason = (
                    f'a quote (") opens a cell in row {row} (line {first_line} of the '
                    "file) and is never closed; add the closing quote or remove the "
                    "opening one"
                )
            elif "expected after" in str(exc):
                reason = (
                    f'row {row} (line {reader.line_num} of the file) has a quote (") '
                    'inside a cell; double it ("") or quote the whole cell'
                )
            else:
                reason = (
                    f"line {reader.line_num} cannot be read as CSV ({exc}); save the "
                    "sheet from the spreadsheet as 'CSV UTF-8'"
                )
            raise ValidationError(f"{path.name} cannot be read: {reason}") from None
        records.append(record)


def _column_names(path: Path, header: list[str]) -> list[str]:
    # Blank header cells (trailing separators) get a name so they can be ignored.
    names = [
        name.strip().lower() or f"(column {position})"
        for position, name in enumerate(header, start=1)
    ]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        problems = [
            Problem(1, name, "appears more than once in the header; keep one")
            for name in twice
        ]
        raise _problem_error(path, problems)
    return names


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
    except OSError as exc:
        raise ValidationError(
            f"{str(path)!r} cannot be read ({exc.strerror}); check the path and the "
            "file's permissions"
        ) from None
    header = content.splitlines()[0] if content.strip() else ""
    if not header:
        raise ValidationError(f"{path.name!r} is empty; export the sheet with a header")
    if "\t" in header and "," not in header and ";" not in header:
        raise ValidationError(
            f"{path.name!r} is separated by tabs; export the sheet as CSV and use , "
            "or ; between cells"
        )
    separator = ";" if header.count(";") > header.count(",") else ","
    header_cells, *rows = _records(path, content, separator)
    names = _column_names(path, header_cells)
    width = len(names)
    too_long = [
        Problem(
            spreadsheet_row(index),
            "",
            f"has {plural(len(row), 'field')} but the header has {width}; remove the "
            f"extra {separator!r} (such as one at the end of the row) or quote the "
            f"cell that contains {separator!r}",
        )
        for index, row in enumerate(rows)
        if len(row) > width
    ]
    if too_long:
        raise _problem_error(path, too_long)
    # Short rows are what a spreadsheet writes when the last cells are empty.
    frame = pd.DataFrame(
        [row + [""] * (width - len(row)) for row in rows], columns=names, dtype=str
    )
    frame = frame.apply(lambda column: column.str.strip())
    # Blank lines are dropped after reading so that row numbers stay the file's.
    return frame[frame.ne("").any(axis=1)]


class CellChecks:
    """Collects every problem of a file; each check returns the parsed column."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.problems: list[Problem] = []
        self.ignored: list[str] = []

    def columns(self, required: Sequence[str], optional: Sequence[str]) -> bool:
        """Check the header; False when rows cannot be read for lack of a column."""
        known = [*required, *optional]
        # Spreadsheets carry notes and helper columns: they are read past, and named.
        self.ignored = [name for name in self.frame.columns if name not in known]
        missing = [name for name in required if name not in self.frame.columns]
        if not missing:
            return True

        found = ", ".join(self.ignored) if self.ignored else "no other column"
        self.problems.append(
            Problem(
                1,
                "",
                f"{plural(len(missing), 'column')} missing: {', '.join(missing)}; "
                f"the header needs {', '.join(required)} and has {found} besides",
            )
        )
        return False

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
        """A whole-number column from `minimum` to MAX_WHOLE; empty cells give NA."""
        values = self.cells(column)
        blank = values.eq("")
        digits = values.str.fullmatch(r"[+-]?\d+")
        # Floats only to compare: exact at the bounds, and any length of digits fits.
        numbers = pd.to_numeric(values.where(digits), errors="coerce")
        below = digits & (numbers < minimum)
        above = digits & (numbers > MAX_WHOLE)
        if required:
            self.flag(
                blank, column, f"is empty; give a whole number of {minimum} or more"
            )
        self.flag(
            ~blank & ~digits,
            column,
            "{value!r} is not a whole number; write digits only, such as 12",
        )
        self.flag(
            below, column, f"{{value!r}} is below {minimum}; use {minimum} or more"
        )
        self.flag(
            above,
            column,
            f"{{value!r}} is above {MAX_WHOLE}, the largest whole number MedStock "
            f"stores; use {MAX_WHOLE} or less",
        )
        ok = digits & ~below & ~above
        return (
            values.where(ok)
            .map(lambda v: int(v) if isinstance(v, str) else pd.NA)
            .astype("Int64")
        )

    def amount(self, column: str) -> pd.Series:
        """A required money column: 0 to MAX_AMOUNT with at most two decimals."""
        values = self.cells(column).str.replace(",", ".", regex=False)
        blank = values.eq("")
        negative = values.str.fullmatch(r"-\d+(\.\d+)?")
        cents = values.str.fullmatch(r"\d+(\.\d{1,2})?")
        finer = values.str.fullmatch(r"\d+\.\d{3,}")
        large = cents & pd.to_numeric(values.where(cents), errors="coerce").gt(
            float(MAX_AMOUNT)
        )
        bad = ~blank & ~negative & ~cents & ~finer
        self.flag(blank, column, "is empty; give an amount such as 6.80")
        self.flag(negative, column, "{value!r} is below 0; use 0 or more")
        self.flag(
            finer,
            column,
            "{value!r} has more than 2 decimals, and MedStock does not round "
            "amounts; write it in cents, such as 6.80",
        )
        self.flag(
            large,
            column,
            f"{{value!r}} is above {MAX_AMOUNT}, the largest amount MedStock "
            "stores; check the value",
        )
        self.flag(
            bad,
            column,
            "{value!r} is not an amount with at most 2 decimals, such as 6.80",
        )
        ok = cents & ~large
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
        """An optional expiry date in YYYY-MM-DD; empty cells give None."""
        values = self.cells(column)
        blank = values.eq("")
        shaped = values.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
        years = pd.to_numeric(values.str[:4].where(shaped), errors="coerce")
        outside = shaped & ~years.between(FIRST_EXPIRY_YEAR, LAST_EXPIRY_YEAR)
        parsed = pd.to_datetime(
            values.where(shaped & ~outside), format="%Y-%m-%d", errors="coerce"
        )
        self.flag(
            ~blank & ~outside & parsed.isna(),
            column,
            "{value!r} is not a real date; write YYYY-MM-DD, such as 2027-03-31",
        )
        self.flag(outside, column, "{value!r} " + OUTSIDE_EXPIRY_YEARS)
        return parsed.map(lambda moment: None if pd.isna(moment) else moment.date())

    def raise_if_any(self, path: Path) -> None:
        """Raise ValidationError listing the problems, in row then column order."""
        if not self.problems:
            return
        order = {name: rank for rank, name in enumerate(self.frame.columns)}
        self.problems.sort(key=lambda p: (p.row, order.get(p.column, len(order))))
        raise _problem_error(path, self.problems)
