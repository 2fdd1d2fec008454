"""Logging: a filter that removes request details before any handler sees a record, the
formatter of the structured (one JSON object per line) log, and the LOGGING setting that
puts them together (config/settings.py chooses the format and the level).

Nothing here imports Django, so uvicorn's own supervisor process can use it too
(deploy/uvicorn-logging.json).
"""

import json
import logging
import time
from datetime import UTC, datetime

# uvicorn logs each websocket handshake as '<client address> - "WebSocket <path>" <outcome>'.
_UVICORN_WEBSOCKET_LINE = '%s - "WebSocket %s"'


class Every:
    """Says yes at most once per `seconds` in this process, and always the first time: an
    outage that every request would report is logged once per period, not once a request.

    The first call must be due even on a machine booted a minute ago, whose monotonic clock
    still reads less than `seconds`; hence no start of zero."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._last: float | None = None

    def due(self) -> bool:
        now = time.monotonic()
        if self._last is not None and now - self._last <= self.seconds:
            return False
        self._last = now
        return True


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


class RefusalsWithoutTraceback(logging.Filter):
    """Django logs each request refused by a permission check ("Forbidden (Permission
    denied): /path") with the traceback of the refusal. A refusal is the access rules doing
    their work, not a fault: the line stays, its ten lines of traceback go."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and _is_refusal(record.exc_info[1]):
            record.exc_info = record.exc_text = None
        return True


def _is_refusal(exception) -> bool:
    # By name, as this module imports no Django (see above).
    return any(cls.__name__ == "PermissionDenied" and cls.__module__ == "django.core.exceptions"
               for cls in type(exception).__mro__)


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


def logging_config(*, log_format: str, level: str) -> dict:
    """Django's LOGGING: one console handler, in `log_format` ("json" or "plain"), that
    every record passes through DropRequestDetails first; and the loggers that would
    write what must not be written quietened."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"no_request": {"()": "core.logging.DropRequestDetails"},
                    "refusal": {"()": "core.logging.RefusalsWithoutTraceback"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {"()": "core.logging.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["no_request"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.server": {"level": "WARNING"},
            "django.request": {"filters": ["refusal"]},
            # uvicorn set up its own handlers before it loaded Django; its lines go through
            # the same handler, filter and format as everything else.
            "uvicorn": {"handlers": ["console"], "level": level, "propagate": False},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
            "axes": {"level": "WARNING"},
            # Pillow logs every EXIF tag (owner, camera, GPS) of a photo at DEBUG.
            "PIL": {"level": "INFO"},
            # A variable missing from a template is logged at DEBUG with the page's whole
            # context, decrypted content included.
            "django.template": {"level": "INFO"},
            # python-gnupg logs what gpg writes back at DEBUG.
            "gnupg": {"level": "WARNING"},
        },
    }
