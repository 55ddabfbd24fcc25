"""The read side of ``RedisStreamManager``: fetching entries with ``XREADGROUP`` and decoding them.

``RedisStreamReads`` holds what ``read_stream``/``read_streams`` of the manager (``hopeit.redis_streams.manager``)
use: redeliveries first, then new entries in one ``XREADGROUP``; a lost group created again;
refused messages dead-lettered at once; decoding errors recorded for dead-letter entries.
"""

import asyncio
import logging
from typing import Awaitable, Dict, List, Optional, Tuple, TypeVar, Union

import redis.asyncio as aioredis
from hopeit.redis_streams._connection import pool_exhausted
from hopeit.redis_streams._redelivery import DeadLetter, Entry, Redelivery, entries_by_stream
from hopeit.redis_streams.settings import RedisStreamsSettings
from hopeit.streams import MessageRefusedError, StreamBusyError, StreamEvent, StreamManager, StreamOSError
from hopeit.streams.messages import MessageReader, error_text, utc_iso_now
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

__all__ = ["UNREACHABLE", "RedisStreamReads"]

logger = logging.getLogger("hopeit.redis_streams")

_T = TypeVar("_T")

#: Errors that mean "Redis cannot be reached right now": raised as ``StreamOSError``, for the engine's
#: circuit breaker to back off and retry.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError, asyncio.TimeoutError)


class RedisStreamReads(StreamManager):
    """The read helpers of ``RedisStreamManager`` (its base class), using the manager's attributes below."""

    settings: RedisStreamsSettings
    safe_address: str
    consumer_id: str
    redelivery: Redelivery

    async def _fetch_reporting(
        self, client: "aioredis.Redis", stream_names: List[str], consumer_group: str, offset: str,
        batch_size: int, timeout: int,
    ) -> List[List[Entry]]:
        """``_fetch``, creating the group again if Redis lost it, errors raised as ``StreamOSError``."""
        try:
            try:
                return await self._fetch(client, stream_names, consumer_group, offset, batch_size, timeout)
            except ResponseError as exc:
                if not str(exc).startswith("NOGROUP"):
                    raise
                # the group vanished (Redis restarted without persistence, or the stream was deleted)
                names = ", ".join(f"'{name}'" for name in stream_names)
                logger.warning("Consumer group '%s' of %s missing in Redis: creating it", consumer_group, names)
                for stream_name in stream_names:
                    await self.ensure_consumer_group(stream_name=stream_name, consumer_group=consumer_group)
                return await self._fetch(client, stream_names, consumer_group, offset, batch_size, timeout)
        except (RedisError, StreamOSError, *UNREACHABLE) as exc:
            what = ", ".join(f"'{name}'" for name in stream_names)
            if pool_exhausted(exc):  # too many reads for the pool: not a Redis failure
                raise StreamBusyError(f"No Redis read connection free for stream {what}: {exc}") from exc
            self.redelivery.reconnected()
            raise StreamOSError(
                f"Cannot read stream {what} group '{consumer_group}' at Redis {self.safe_address}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    async def _decode(
        self, client: "aioredis.Redis", stream_name: str, consumer_group: str, datatypes: Dict[str, type],
        track_headers: List[str], entries: List[Entry],
    ) -> List[Union[StreamEvent, Exception]]:
        """The messages of ``entries`` read from ``stream_name``: refused ones dead-lettered, errors recorded."""
        reader = MessageReader(
            stream_name=stream_name,
            consumer_group=consumer_group,
            datatypes=datatypes,
            track_headers=track_headers,
            read_ts=utc_iso_now(),
            serializations=self.allowed_serializations(stream_name, consumer_group),
        )
        items: List[Union[StreamEvent, Exception]] = [reader.decode(msg_id, fields) for msg_id, fields in entries]
        refused = [(i, fields) for i, ((_, fields), item) in enumerate(zip(entries, items))
                   if isinstance(item, MessageRefusedError)]
        if refused:
            await self._dead_letter_refused(client, stream_name, consumer_group, items, refused)
        errors = [(msg_id, error_text(item)) for (msg_id, _), item in zip(entries, items)
                  if isinstance(item, Exception) and not isinstance(item, MessageRefusedError)]
        if errors:
            await self._record_errors(client, stream_name, errors)
        return items

    async def _dead_letter_refused(
        self, client: "aioredis.Redis", stream_name: str, consumer_group: str,
        items: List[Union[StreamEvent, Exception]], refused: List[Tuple[int, Dict[bytes, bytes]]],
    ) -> None:
        """Dead-letter refused messages now (they can never be read); their items say where they went."""
        letters = []
        for index, fields in refused:
            error = items[index]
            assert isinstance(error, MessageRefusedError)
            letters.append(DeadLetter(error.msg_id, fields, 1, error.reason, error_text(error)))
        try:
            target = await self._bounded(
                self.redelivery.dead_letter(client, stream_name, consumer_group, letters, log=False)
            )
        except (RedisError, *UNREACHABLE) as exc:  # left pending: refused again on its next delivery
            logger.warning("Cannot dead-letter %d refused message(s) of '%s': %s", len(letters), stream_name, exc)
            return
        for index, _ in refused:
            error = items[index]
            assert isinstance(error, MessageRefusedError)
            items[index] = MessageRefusedError(
                f"{error}; moved to dead-letter stream '{target}'", msg_id=error.msg_id, reason=error.reason
            )


    async def _record_errors(self, client: "aioredis.Redis", stream_name: str, errors: List[Tuple[bytes, str]]) -> None:
        try:
            await self._bounded(self.redelivery.record_errors(client, stream_name, errors))
        except (RedisError, *UNREACHABLE) as exc:  # only the dead-letter detail is lost
            logger.debug("Cannot record errors of %d message(s) of '%s': %s", len(errors), stream_name, exc)

    async def _fetch(
        self, client: "aioredis.Redis", streams: List[str], group: str, offset: str, batch_size: int, timeout: int
    ) -> List[List[Entry]]:
        """Entries of each stream: redeliveries where there are some, new ones of the others (one ``XREADGROUP``).

        The read waits up to ``timeout`` ms only when no stream had redeliveries.
        """
        found: List[List[Entry]] = [[] for _ in streams]
        if offset == ">":
            for index, stream in enumerate(streams):
                found[index] = await self._bounded(self.redelivery.fetch(client, stream, group, batch_size))
        rest = {stream: offset for stream, entries in zip(streams, found) if not entries}
        if not rest:
            return found
        if len(rest) < len(streams) or offset != ">":
            block: Optional[int] = None  # redeliveries (or history) are waiting to be handed over: do not wait
        else:
            block = timeout
        reading = client.xreadgroup(group, self.consumer_id, rest, count=batch_size, block=block)  # type: ignore[arg-type]
        # BLOCK 0 waits for a message however long it takes: then only a closed connection ends it
        reply = await (self._bounded(reading, extra=(block or 0) / 1000) if block != 0 else reading)
        read = entries_by_stream(reply)
        return [entries or read.get(stream, []) for stream, entries in zip(streams, found)]

    async def _bounded(self, call: Awaitable[_T], extra: float = 0.0) -> _T:
        """Run a read-side call within the socket timeout (plus ``extra`` for blocking reads)."""
        return await asyncio.wait_for(call, self.settings.socket_timeout + extra)
