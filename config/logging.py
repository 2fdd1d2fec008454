"""Logging: a filter that removes request details before any handler sees a record, and the
formatter of the structured (one JSON object per line) log.

Nothing here imports Django, so uvicorn's own supervisor process can use it too
(deploy/uvicorn-logging.json).
"""

import json
import logging
from datetime import UTC, datetime

# uvicorn logs each websocket handshake as '<client address> - "WebSocket <path>" <outcome>'.
_UVICORN_WEBSOCKET_LINE = '%s - "WebSocket %s"'


class DropRequestDetails(logging.Filter):
    """Django attaches the request (with its address and agent) to some log records, and
    uvicorn attaches the client's address; neither may reach a log, so both are removed.
    uvicorn also puts the client's address into the text of its websocket lines, where it is
    replaced by a dash."""

    def filter(self, record: logging.LogRecord) -> bool:
        for attribute in ("request", "scope", "client_addr"):
            if hasattr(record, attribute):
                setattr(record, attribute, None)
        if (isinstance(record.msg, str) and record.msg.startswith(_UVICORN_WEBSOCKET_LINE)
                and isinstance(record.args, tuple) and record.args):
            record.args = ("-", *record.args[1:])
        return True


# Attributes every LogRecord has; anything else on a record was passed as `extra`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName",
    # Removed by DropRequestDetails, and uvicorn's coloured copy of the message.
    "request", "scope", "client_addr", "color_message",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, and the
    simple values passed as `extra` (event fields: numbers, strings, true/false). A traceback
    becomes one string field, so a line is always one record."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in line and _simple(value):
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def _simple(value) -> bool:
    return isinstance(value, str | int | float | bool)
