"""The four renderings of a report's `Layout` (built by reporting.exports): DOCX in the
paper form's shape, PDF with DejaVu Sans embedded (reporting.fonts), XLSX and CSV, one
module each. They only lay out what the layout holds; what a report says is decided in
reporting.exports."""

from reporting.writers.layout import Layout, Section, Signature, Table, day_text

__all__ = ["Layout", "Section", "Signature", "Table", "day_text", "render"]


def render(layout: Layout, fmt: str) -> bytes:
    # Each format's module is imported when a file of its kind is first made: python-docx,
    # ReportLab and openpyxl are slow to import, and most processes never make a file.
    if fmt == "docx":
        from reporting.writers import docx_file as writer
    elif fmt == "pdf":
        from reporting.writers import pdf_file as writer
    elif fmt == "xlsx":
        from reporting.writers import xlsx_file as writer
    elif fmt == "csv":
        from reporting.writers import csv_file as writer
    else:
        raise KeyError(fmt)
    return writer.render(layout)
