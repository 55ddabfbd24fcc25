"""Which trimmed entries no consumer group had read yet: looked at after trims, at most once a second.

Writes trim with ``XTRIM MAXLEN ~`` once per stream and batch (see ``WriteBatcher``), which says how
many entries went. Only then, and at most every ``interval`` seconds per stream, one round trip
(``XINFO GROUPS`` and the first entry) compares each group's last delivered id with the oldest entry
left: a group whose last delivered id is older lost what was trimmed past it. The write path pays
nothing more. Works on Redis 6.2 (no ``entries-read``/``lag`` needed).

The count is exact when a group read nothing of what was trimmed (a stopped consumer); when a group
was part way through the trimmed range, the part it had not read is estimated from the entry ids'
timestamps. Each process counts the trims its own writes made.
"""

import asyncio
import logging
import time
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from hopeit.streams.trimming import UnreadTrimCounter
from redis.asyncio import Redis

__all__ = ["TrimWatch"]

logger = logging.getLogger("hopeit.redis_streams")

_Id = Tuple[int, int]


def _parse_id(value: Any) -> _Id:
    text = value.decode() if isinstance(value, bytes) else str(value)
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


class _Trims:
    """What is known of one stream's trims since its last check."""

    __slots__ = ("first", "max_len", "next_check", "task", "trimmed")

    def __init__(self) -> None:
        self.trimmed = 0  # entries our XTRIMs removed since the last check
        self.max_len = 0
        self.first: Optional[_Id] = None  # oldest entry at the last check
        self.next_check = 0.0
        self.task: Optional[asyncio.Task[None]] = None


class TrimWatch:
    """Counts (in ``counter``) the trimmed entries some consumer group had not read."""

    def __init__(self, client: Callable[[], Optional["Redis"]], counter: UnreadTrimCounter, interval: float = 1.0):
        self._client = client  # the read client: the write pool is kept for writes
        self.counter = counter
        self.interval = interval
        self._streams: Dict[str, _Trims] = {}
        self._tasks: Set[asyncio.Task[None]] = set()

    def trimmed(self, stream_name: str, count: int, max_len: int) -> None:
        """An ``XTRIM`` of ``stream_name`` removed ``count`` entries: check the groups soon."""
        trims = self._streams.get(stream_name)
        if trims is None:
            trims = self._streams[stream_name] = _Trims()
        trims.trimmed += count
        trims.max_len = max_len
        if trims.task is None:
            trims.task = asyncio.get_running_loop().create_task(self._check_soon(stream_name, trims))
            self._tasks.add(trims.task)
            trims.task.add_done_callback(self._tasks.discard)

    async def _check_soon(self, stream_name: str, trims: _Trims) -> None:
        try:
            wait = trims.next_check - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)  # trims meanwhile add up for this one check
            trims.next_check = time.monotonic() + self.interval
            await self._check(stream_name, trims)
        except Exception as exc:  # noqa: BLE001 - Redis gone meanwhile: the count waits for the next trim
            logger.debug("Cannot check consumer groups of trimmed stream '%s': %s", stream_name, exc)
        finally:
            trims.task = None

    async def _check(self, stream_name: str, trims: _Trims) -> None:
        client = self._client()
        if client is None:
            return
        pipe = client.pipeline(transaction=False)
        pipe.xinfo_groups(stream_name)
        pipe.xrange(stream_name, count=1)
        groups, first_entries = await pipe.execute()
        count, trims.trimmed = trims.trimmed, 0
        first = _parse_id(first_entries[0][0]) if first_entries else None
        previous, trims.first = trims.first, first
        if first is None:
            return  # nothing left to compare with (a stream trimmed to nothing, or deleted)
        behind: List[Tuple[str, _Id]] = []
        for info in groups:
            last = _parse_id(info.get("last-delivered-id", b"0-0"))
            if last < first:
                name = info.get("name", b"")
                behind.append((name.decode(errors="replace") if isinstance(name, bytes) else str(name), last))
        if not behind:
            return
        slowest = min(last for _, last in behind)
        self.counter.add(
            stream_name, _unread(count, slowest, previous, first), groups=[name for name, _ in behind],
            max_len=trims.max_len,
        )

    @property
    def idle(self) -> bool:
        """True when every trim seen so far has been checked."""
        return not self._tasks and all(trims.trimmed == 0 for trims in self._streams.values())

    async def close(self) -> None:
        """Stop pending checks (their counts are dropped)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)


def _unread(count: int, last_read: _Id, previous_first: Optional[_Id], first: _Id) -> int:
    """How many of the ``count`` entries trimmed from ``[previous_first, first)`` come after ``last_read``."""
    if previous_first is None or last_read < previous_first:
        return count  # the group read none of them (or nothing is known of the range: count it all)
    span = first[0] - previous_first[0]
    if span <= 0:
        return count
    share = (first[0] - last_read[0]) / span  # ids are millisecond timestamps: assume a steady write rate
    return max(1, min(count, round(count * share)))
