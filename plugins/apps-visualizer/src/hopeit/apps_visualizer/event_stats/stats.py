"""Counts of START/DONE/FAILED/IGNORED entries per event and per stream over a time window.

Entry times are the log lines' own (``2021-06-02 18:01:44,290``, UTC): they compare as text with
a cut-off written the same way, so no entry is parsed.
"""

from datetime import datetime, timedelta, timezone
from typing import Dict, Iterable, Optional, Set, Tuple

from hopeit.app.names import auto_path
from hopeit.dataobjects import dataclass, dataobject
from hopeit.log_streamer import LogEntry

__all__ = ["TS_FORMAT", "EventStats", "entry_keys", "get_stats"]

#: How a cut-off time is written to compare with entry times (their milliseconds sort after it).
TS_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataobject
@dataclass
class EventStats:
    """Entries counted for one event or stream; ``recent`` counts those newer than the recent threshold."""

    started: int = 0
    done: int = 0
    failed: int = 0
    ignored: int = 0
    recent: int = 0

    @property
    def pending(self) -> int:
        """Started and not (yet) finished in the window."""
        return max(0, self.started - self.done - self.failed - self.ignored)

    def count(self, msg: str, recent: bool) -> None:
        """Add one entry of kind ``msg`` (START, DONE, FAILED or IGNORED)."""
        if msg == "START":
            self.started += 1
        elif msg == "DONE":
            self.done += 1
        elif msg == "FAILED":
            self.failed += 1
        elif msg == "IGNORED":
            self.ignored += 1
        else:
            return
        if recent:
            self.recent += 1


def entry_keys(entry: LogEntry) -> Tuple[str, Optional[str], Optional[str]]:
    """The graph ids an entry counts for: its event, and the stream (whole and queue) it was read from.

    The event is ``<app key>.[<plugin key>.]<event>`` as in the graph: the app the event ran for
    (``event.app``; a plugin event mounted on an app counts for that app), and a SHUFFLE stage
    counts for its stage (``stream.event_name``). The stream is ``><stream>`` and
    ``><stream>.<queue>``, when the entry was read from a stream.
    """
    extra = entry.extra
    event_key = extra.get("event.app") or auto_path(entry.app_name, entry.app_version)
    if extra.get("event.plugin"):
        event_key += "." + extra["event.plugin"]
    event_key += "." + (extra.get("stream.event_name") or entry.event_name)
    stream_name = extra.get("stream.name")
    if not stream_name:
        return event_key, None, None
    queue = extra.get("stream.queue") or "AUTO"
    if stream_name.endswith("." + queue):
        stream_name = stream_name[: -len(queue) - 1]
    return event_key, f">{stream_name}", f">{stream_name}.{queue}"


def get_stats(
    entries: Iterable[LogEntry],
    host_pids: Set[Tuple[str, str]],
    time_window_secs: float,
    recent_secs: float,
    now: Optional[datetime] = None,
) -> Dict[str, EventStats]:
    """Stats by graph id of the ``entries`` of the servers ``host_pids`` in the last ``time_window_secs``.

    An entry read from a stream counts for its event, for ``><stream>`` (all queues together) and
    for ``><stream>.<queue>``; entries outside the window or of other servers are left out.
    """
    now = now or datetime.now(tz=timezone.utc)
    since = (now - timedelta(seconds=time_window_secs)).strftime(TS_FORMAT)
    recent_since = (now - timedelta(seconds=recent_secs)).strftime(TS_FORMAT)
    stats: Dict[str, EventStats] = {}
    for entry in entries:
        if entry.ts < since or (entry.host, entry.pid) not in host_pids:
            continue
        recent = entry.ts >= recent_since
        event_key, stream_key, queue_key = entry_keys(entry)
        stats.setdefault(event_key, EventStats()).count(entry.msg, recent)
        if stream_key is not None and queue_key is not None:
            stats.setdefault(stream_key, EventStats()).count(entry.msg, recent)
            if queue_key != stream_key:
                stats.setdefault(queue_key, EventStats()).count(entry.msg, recent)
    return stats
