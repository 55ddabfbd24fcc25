"""Entries trimmed away before a consumer group processed them: counted per stream, warned about.

A stream written with a maximum length (an event's ``stream.target_max_len``, Redis ``MAXLEN ~``)
drops its oldest entries as new ones arrive. When a consumer is stopped or slow, what it drops
had been accepted (a 200 answered) and was never processed: stream managers report those entries
here, so operators see a warning in the logs and a counter in ``manager.stats()``.
"""

import logging
import time
from typing import Dict, Iterable

from hopeit.streams._decoding import escape_text

__all__ = ["UnreadTrimCounter"]


class UnreadTrimCounter:
    """Counts entries lost to trimming per stream, and warns at most once per ``warn_interval`` seconds a stream.

    The first loss of a stream is logged at once; later ones are summed into the next warning, so a
    stream trimming on every write logs one line a minute, not one a message.
    """

    __slots__ = ("_logger", "_next_warning", "_unreported", "counts", "warn_interval")

    def __init__(self, logger: logging.Logger, *, warn_interval: float = 60.0) -> None:
        self._logger = logger
        self.warn_interval = warn_interval
        #: stream name -> entries trimmed before some consumer group processed them, since start
        self.counts: Dict[str, int] = {}
        self._unreported: Dict[str, int] = {}
        self._next_warning: Dict[str, float] = {}

    def add(self, stream_name: str, count: int, *, groups: Iterable[str], max_len: int = 0) -> None:
        """Count ``count`` entries of ``stream_name`` trimmed before ``groups`` processed them; warn if due."""
        if count <= 0:
            return
        self.counts[stream_name] = self.counts.get(stream_name, 0) + count
        unreported = self._unreported[stream_name] = self._unreported.get(stream_name, 0) + count
        now = time.monotonic()
        if now < self._next_warning.get(stream_name, 0.0):
            return
        self._next_warning[stream_name] = now + self.warn_interval
        self._unreported[stream_name] = 0
        limit = f" (maximum length {max_len})" if max_len > 0 else ""
        self._logger.warning(
            "Stream '%s' trimmed %d entr%s%s before consumer group(s) %s processed them: they are lost to those "
            "groups (%d since start). Raise the stream's target_max_len, or check that its consumers are running",
            escape_text(stream_name),
            unreported,
            "y" if unreported == 1 else "ies",
            limit,
            ", ".join(f"'{escape_text(group, 100)}'" for group in sorted(set(groups))) or "(none)",
            self.counts[stream_name],
        )
