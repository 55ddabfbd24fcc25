"""Lifecycle lines of the engine's log files, parsed into ``LogEntry``.

A line reads ``<time> | <LEVEL> | <app> <version> <event> <host> <pid> | <message> | k=v | k=v ...``.
Only lines whose message is ``START``, ``DONE``, ``FAILED`` or ``IGNORED`` are kept.
"""

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
    return " | START |" in line or " | DONE |" in line or " | FAILED |" in line or " | IGNORED |" in line


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


def parse_line(line: str) -> Optional[LogEntry]:
    """The entry of a lifecycle line, or None when the line is not one or does not parse."""
    if "\n" in line or "\r" in line:
        line = line.replace("\n", "").replace("\r", "")
    parts = line.split(_SEPARATOR)
    if len(parts) < 4:
        return None
    msg = parts[3].strip()
    app_info = parts[2].split()
    if msg not in _RANK or len(app_info) < 3:
        return None
    app_name, app_version, event_name = app_info[:3]
    return LogEntry(
        ts=parts[0].strip(),
        msg=msg,
        app_name=app_name,
        app_version=app_version,
        event_name=event_name,
        event=_event_prefix(app_name, app_version) + event_name,
        extra=_extra(parts[4:]),
        host=app_info[3] if len(app_info) > 3 else "",
        pid=app_info[4] if len(app_info) > 4 else "",
    )


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
