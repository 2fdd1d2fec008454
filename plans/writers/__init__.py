"""The implementation report's files, each laid out from one plans.document.PlanDocument:
DOCX and PDF on A4 landscape in the paper form's shape, and XLSX."""

FORMATS = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "pdf": "application/pdf",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def render(document, fmt: str) -> bytes:
    # As reporting.writers: each library is imported when a file of its kind is first made.
    if fmt == "docx":
        from plans.writers import docx_file as writer
    elif fmt == "pdf":
        from plans.writers import pdf_file as writer
    elif fmt == "xlsx":
        from plans.writers import xlsx_file as writer
    else:
        raise KeyError(fmt)
    return writer.render(document)
