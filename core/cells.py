"""Spreadsheet cells that cannot turn into formulas.

A CSV or XLSX cell that starts with "=", "+", "-" or "@" (or a tab or carriage return) is run
as a formula when the file is opened in Excel or LibreOffice; a reporter's or a clerk's text
must never be. Used by the referral tracker's CSV and the monthly reports' exports.
"""

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value) -> str:
    """A cell as text that no spreadsheet runs as a formula: one that would start a formula
    gets a leading apostrophe, which Excel and LibreOffice show as text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
