"""The benchmark's one table: each measure against its baseline and target."""

from dataclasses import dataclass

HEADER = (
    "measure",
    "backend",
    "size",
    "MedStock",
    "baseline",
    "ratio",
    "peak RSS",
    "target",
    "met",
)


@dataclass(frozen=True)
class Row:
    """One line of the table; `met` is None where there is nothing to judge."""

    measure: str
    backend: str
    size: str
    product: str
    baseline: str = "-"
    ratio: float | None = None
    rss_mb: float | None = None
    target: str = "-"
    met: bool | None = None


def seconds(value: float) -> str:
    """A duration at a readable precision: ms below a second."""
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def render(rows: list[Row]) -> str:
    """The rows as a markdown table."""
    cells = [HEADER] + [
        (
            row.measure,
            row.backend,
            row.size,
            row.product,
            row.baseline,
            "-" if row.ratio is None else f"{row.ratio:.2f}x",
            "-" if row.rss_mb is None else f"{row.rss_mb:.0f} MB",
            row.target,
            {None: "-", True: "yes", False: "**no**"}[row.met],
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(HEADER))]
    lines = [
        "| "
        + " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True))
        + " |"
        for line in cells
    ]
    lines.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(lines)
