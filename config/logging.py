"""Logging filter that removes request details before any handler sees a record."""

import logging


class DropRequestDetails(logging.Filter):
    """Django attaches the request (with its address and agent) to some log records, and
    uvicorn attaches the client's address; neither may reach a log, so both are removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        for attribute in ("request", "scope", "client_addr"):
            if hasattr(record, attribute):
                setattr(record, attribute, None)
        return True
