"""Lifecycle lines of the engine's log files, parsed into ``LogEntry``.

A line reads ``<time> | <LEVEL> | <app> <version> <event> <host> <pid> | <message> | k=v | k=v ...``,
or, from a server logging with ``log_format: "json"``, is one JSON object with the same fields
(``time``, ``level``, ``logger``, ``message`` and one key per extra value). Only lines whose
message is ``START``, ``DONE``, ``FAILED`` or ``IGNORED`` are kept.
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Optional, Sequence

from hopeit.app.names import auto_path
from hopeit.log_streamer.data import LogEntry

__all__ = ["LIFECYCLE", "ParseCounters", "counters", "is_lifecycle_line", "parse_line", "parse_lines"]

#: Messages kept, in the order entries of the same time are sorted (START first).
LIFECYCLE = ("START", "DONE", "FAILED", "IGNORED")
_RANK = {msg: rank for rank, msg in enumerate(LIFECYCLE)}
_SEPARATOR = " | "


@dataclass
class ParseCounters:
    """Lines parsed since the process started: what was kept and what did not parse."""

    parsed: int = 0
    unparsable: int = 0


#: Counters of this process, for logs and tests.
counters = ParseCounters()


def is_lifecycle_line(line: str) -> bool:
    """True when ``line`` looks like a START, DONE, FAILED or IGNORED line (a cheap test before parsing)."""
    # written out: a loop over the marks costs more than the tests themselves, on every line read
    if " | START |" in line or " | DONE |" in line or " | FAILED |" in line or " | IGNORED |" in line:
        return True
    return line.startswith("{") and any(f'"message": "{msg}"' in line for msg in LIFECYCLE)


@lru_cache(maxsize=1024)
def _event_prefix(app_name: str, app_version: str) -> str:
    return auto_path(app_name, app_version) + "."


def _extra(parts: Sequence[str]) -> Dict[str, str]:
    values: Dict[str, str] = {}
    for part in parts:
        if part.count("=") == 1:
            key, value = part.split("=")
            values[key.strip()] = value.strip()
    return values


#: keys of a JSON line that are not extra values
_JSON_OWN_KEYS = frozenset({"time", "level", "logger", "message"})


def _parse_json_line(line: str) -> Optional[LogEntry]:
    try:
        found = json.loads(line)
    except ValueError:
        return None
    if not isinstance(found, dict):
        return None
    msg, logger, ts = found.get("message"), found.get("logger"), found.get("time")
    if msg not in _RANK or not isinstance(logger, str) or not isinstance(ts, str):
        return None
    extra = {key: value for key, value in found.items() if key not in _JSON_OWN_KEYS and isinstance(value, str)}
    return _entry(ts, str(msg), logger.split(), extra)


def _entry(ts: str, msg: str, app_info: List[str], extra: Dict[str, str]) -> Optional[LogEntry]:
    if len(app_info) < 3:
        return None
    app_name, app_version, event_name = app_info[:3]
    return LogEntry(
        ts=ts,
        msg=msg,
        app_name=app_name,
        app_version=app_version,
        event_name=event_name,
        event=_event_prefix(app_name, app_version) + event_name,
        extra=extra,
        host=app_info[3] if len(app_info) > 3 else "",
        pid=app_info[4] if len(app_info) > 4 else "",
    )


def parse_line(line: str) -> Optional[LogEntry]:
    """The entry of a lifecycle line (text or JSON), or None when the line is not one or does not parse."""
    if line.startswith("{"):
        return _parse_json_line(line)
    if "\n" in line or "\r" in line:
        line = line.replace("\n", "").replace("\r", "")
    parts = line.split(_SEPARATOR)
    if len(parts) < 4:
        return None
    msg = parts[3].strip()
    if msg not in _RANK:
        return None
    return _entry(parts[0].strip(), msg, parts[2].split(), _extra(parts[4:]))


def parse_lines(lines: Sequence[str]) -> List[LogEntry]:
    """Entries of the lines that parse, sorted by time and, at the same time, START before DONE.

    Lines that do not parse are skipped and counted in ``counters.unparsable``.
    """
    entries: List[LogEntry] = []
    for line in lines:
        entry = parse_line(line)
        if entry is None:
            counters.unparsable += 1
        else:
            entries.append(entry)
    counters.parsed += len(entries)
    entries.sort(key=lambda entry: (entry.ts, _RANK[entry.msg]))
    return entries
