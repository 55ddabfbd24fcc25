"""Log lines as JSON objects, one per line, for log shippers (``logging.log_format: "json"``).

Each object holds the fields of the text line: ``time`` (ISO 8601 UTC, milliseconds), ``level``,
``logger`` (``<app> <version> <event> <host> <pid>``), ``message``, then every ``key=value`` of
the extra column as its own key (``track.request_id``, ``extra.<name>``, ``metrics.duration``,
``response.status`` ...), values as the text line writes them. A traceback is ``trace``: the list
of its lines, where the text line holds them URL-quoted. JSON escapes newlines and control
characters, so one call is always one line.

The handlers here are subclasses of the text ones that lines reach through ``logging`` records:
``line_handlers`` names the text classes only, so the engine's fast text path stays as it is.
"""

import json
import logging
import traceback
import urllib.parse
from datetime import datetime, timezone
from typing import Any, Dict, List, Tuple, Type

from hopeit.server._log_lines import LineFileHandler, LineStreamHandler

__all__ = ["JsonFormatter", "JsonLineFileHandler", "JsonLineStreamHandler", "extra_fields", "json_lines"]

#: keys of every object, in this order; extra values never replace them
_OWN_KEYS = ("time", "level", "logger", "message")


def _trace_lines(quoted: str) -> Any:
    """The traceback lines of a ``trace=`` value, or the value as it is when it does not decode."""
    try:
        lines = json.loads(urllib.parse.unquote(quoted))
    except ValueError:
        return quoted
    return lines if isinstance(lines, list) else quoted


def extra_fields(extra: str) -> Dict[str, Any]:
    """``{key: value}`` of an extra column (``k=v | k=v``); parts without ``=`` are kept under ``extra``."""
    fields: Dict[str, Any] = {}
    loose: List[str] = []
    for part in extra.split(" | "):
        key, sep, value = part.partition("=")
        if not sep or not key:
            if part:
                loose.append(part)
            continue
        fields[key] = _trace_lines(value) if key == "trace" else value
    if loose:
        fields["extra"] = " | ".join(loose)
    return fields


class JsonFormatter(logging.Formatter):
    """A record as one JSON object (see the module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record's object as a line of JSON (no newline)."""
        created = datetime.fromtimestamp(record.created, tz=timezone.utc)
        line: Dict[str, Any] = {
            "time": created.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        extra = getattr(record, "extra", "")
        if extra:
            for key, value in extra_fields(str(extra)).items():
                if key not in _OWN_KEYS:
                    line[key] = value
        if record.exc_info and "trace" not in line:
            exc_type, exc, tb = record.exc_info
            line["trace"] = traceback.format_exception(exc_type, exc, tb)
        return json.dumps(line, default=str)


class JsonLineFileHandler(LineFileHandler):
    """The log file of a logger, in JSON lines: what ``LineFileHandler`` does, records only."""


class JsonLineStreamHandler(LineStreamHandler):
    """The console (stderr) in JSON lines: tracebacks stay in the object, as in the files."""

    def write_line(self, line: str, level: int) -> None:
        """Write one JSON line as it is (the text handler writes tracebacks out as lines)."""
        super(LineStreamHandler, self).write_line(line, level)


def json_lines() -> Tuple[logging.Formatter, Type[LineFileHandler], Type[LineStreamHandler]]:
    """The formatter, file handler class and console handler class of JSON lines (for ``hopeit.server.logger``)."""
    return JsonFormatter(), JsonLineFileHandler, JsonLineStreamHandler
