"""What a report's file holds, whatever its format: a `Layout` of facts, sections (lines
and a table each) and signatures, which reporting.exports builds and each of
reporting.writers' formats lays out."""

from dataclasses import dataclass, field
from datetime import date

# The author, creator and producer every file names: the program, never a person.
AUTHOR = "Shugel"


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: list[tuple]  # cells are str, int, date or None
    total: tuple | None = None


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[str] = field(default_factory=list)
    table: Table | None = None
    strong: bool = False  # the lines are statements the reader must not miss


@dataclass(frozen=True)
class Signature:
    heading: str
    position: str
    name: str


@dataclass(frozen=True)
class Layout:
    reference: str  # the PDF's title and the file's name
    unit_name: str
    title: str
    period: str
    place: str
    day: date
    facts: list[tuple[str, str | int]]
    sections: list[Section]
    signatures: list[Signature] = field(default_factory=list)



def day_text(day: date | None) -> str:
    """A day as the Mongolian form writes it: 2026.11.03."""
    return f"{day:%Y.%m.%d}" if day else ""


def cell_text(cell) -> str:
    """A table cell or a fact's value as the documents print it."""
    if cell is None:
        return ""
    return day_text(cell) if isinstance(cell, date) else str(cell)


def dateline(layout: Layout) -> tuple[str, str]:
    """The date and the place, printed under the title."""
    return day_text(layout.day), layout.place
