"""Spreadsheet cells never become formulas (the tracker's CSV, the reports' exports)."""

import pytest

from core.cells import neutralised


@pytest.mark.parametrize(("value", "shown"), [
    ("=1+2", "'=1+2"), ("+7052", "'+7052"), ("-3", "'-3"), ("@A1", "'@A1"),
    ("\t=1", "'\t=1"), ("АТГ=1", "АТГ=1"), (None, ""), (12, "12"),
])
def test_formula_cells_get_an_apostrophe(value, shown):
    assert neutralised(value) == shown
