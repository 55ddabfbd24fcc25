"""Event stats collect: keeps the latest lifecycle entries that log-streamer publishes.

STREAM event reading ``hopeit.log-streamer.logs``. The entries are kept in this process only
(``recent_entries``, the newest ``MAX_ENTRIES``), where ``event-stats/live`` counts them.
"""

from collections import deque
from typing import Deque

from hopeit.app.context import EventContext
from hopeit.apps_visualizer.event_stats.stats import EventStats, get_stats
from hopeit.log_streamer import LogBatch, LogEntry

__all__ = ["MAX_ENTRIES", "EventStats", "__steps__", "consume", "get_stats", "recent_entries"]

__steps__ = ["consume"]

#: How many entries are kept: older ones are dropped as new ones arrive.
MAX_ENTRIES = 2000

#: The newest entries read, oldest first.
recent_entries: Deque[LogEntry] = deque(maxlen=MAX_ENTRIES)


async def consume(batch: LogBatch, context: EventContext) -> None:
    """Keep the entries of ``batch``."""
    recent_entries.extend(batch.entries)
