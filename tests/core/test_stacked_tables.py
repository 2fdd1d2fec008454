"""On a phone a `table.queue` stacks each row into a card, and each cell is named by its
`data-label` (static/css/shugel.css): a cell without one shows a bare value nobody can place.
Every cell of every such table in the templates has a name, or spans the row (a note under
it, a form)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TABLE = re.compile(r'<table class="queue[ "].*?</table>', re.S)
CELL = re.compile(r"<td\b[^>]*>")


def test_every_cell_of_a_stacked_table_is_named_for_phones():
    unnamed, tables = [], 0
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for table in TABLE.findall(path.read_text()):
            tables += 1
            unnamed += [f"{path.relative_to(ROOT)}: {cell}" for cell in CELL.findall(table)
                        if "data-label" not in cell and "colspan" not in cell]
    assert tables >= 10
    assert unnamed == []
