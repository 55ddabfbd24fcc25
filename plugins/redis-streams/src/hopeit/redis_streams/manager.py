"""``RedisStreamManager``: the engine's StreamManager on Redis Streams and consumer groups."""

import asyncio
import dataclasses
import logging
from typing import Any, Awaitable, Dict, List, Optional, Sequence, Tuple, TypeVar, Union

import redis.asyncio as aioredis
from hopeit.dataobjects import EventPayload
from hopeit.redis_streams._connection import close_client, open_client, pool_exhausted
from hopeit.redis_streams._consumer import consumer_name
from hopeit.redis_streams._pipeline import AckBatcher, Slots, WriteBatcher
from hopeit.redis_streams._reads import UNREACHABLE, RedisStreamReads
from hopeit.redis_streams._redelivery import Redelivery
from hopeit.redis_streams._trimming import TrimWatch
from hopeit.redis_streams.settings import ENV_PASSWORD, ENV_USERNAME, load_settings, safe_address
from hopeit.streams import (
    StreamBusyError,
    StreamEvent,
    StreamGroupStats,
    StreamOSError,
    StreamsConfig,
    StreamWrite,
)
from hopeit.streams.messages import encode_messages, error_text
from hopeit.streams.trimming import UnreadTrimCounter
from redis.exceptions import AuthenticationError, RedisError, ResponseError

__all__ = ["RedisStreamManager"]

logger = logging.getLogger("hopeit.redis_streams")

_T = TypeVar("_T")

#: Seconds ``ping()`` waits for Redis's answer (connecting included): ``/ready`` answers within a second.
PING_TIMEOUT_SECONDS = 0.5

#: An item of ``read_streams``: the stream it was read from, and the message or its error
#: (``hopeit.streams.StreamItem``, spelled out so the plugin imports with engines that predate it).
_StreamItem = Tuple[str, Union[StreamEvent, Exception]]


class RedisStreamManager(RedisStreamReads):
    """Publishes to and consumes from Redis Streams, at least once, losing nothing.

    Server config::

        "streams": {"stream_manager": "redis", "connection_str": "redis://localhost:6379",
                    "settings": {...options of RedisStreamsSettings...}}

    Messages use the engine's wire format (``hopeit.streams.messages``). Reads go through consumer
    groups with a consumer name stable across restarts; unacknowledged messages are delivered again
    (own pending ones after a restart, others' after ``claim_idle_ms``) and dead-lettered after
    ``max_deliveries``; messages in a serialization the stream does not allow are dead-lettered at
    once, never decoded. Reads and writes use separate bounded connection pools.

    When Redis cannot be reached every call raises ``StreamOSError`` (``StreamBusyError`` when the
    pool stayed busy): backing off is the engine's circuit breaker's job (``StreamCircuitBreaker``),
    which probes every ``recovery_probe_interval`` seconds to notice Redis answering again.
    """

    def __init__(self, *, address: str, config: Optional[StreamsConfig] = None) -> None:
        super().__init__(address=address, config=config)
        self.settings, self._url = load_settings(address, self.config)
        self.safe_address = safe_address(address)
        self.consumer_id = consumer_name(self.settings)
        self.probe_interval_seconds = self.settings.recovery_probe_interval
        self._write_client: Optional[aioredis.Redis] = None
        self._read_client: Optional[aioredis.Redis] = None
        self._ping_client: Optional[aioredis.Redis] = None
        self._writes: Optional[WriteBatcher] = None
        self._acks: Optional[AckBatcher] = None
        self.trimmed_unread = UnreadTrimCounter(logger)
        self._trim_watch = TrimWatch(lambda: self._read_client, self.trimmed_unread)
        self.redelivery = Redelivery(settings=self.settings, consumer=self.consumer_id, trims=self.trimmed_unread)

    # -- connections ---------------------------------------------------------------------------

    async def connect(self) -> "RedisStreamManager":
        """Open the read and write connection pools and check Redis answers.

        :raises StreamOSError: naming the address when Redis cannot be reached or refuses the credentials.
        """
        if self._write_client is not None:
            return self
        write = open_client(self._url, self.settings, reads=False)
        read = open_client(self._url, self.settings, reads=True)
        try:
            await asyncio.wait_for(write.ping(), self.settings.socket_connect_timeout + self.settings.socket_timeout)
            await asyncio.wait_for(read.ping(), self.settings.socket_connect_timeout + self.settings.socket_timeout)
        except (RedisError, *UNREACHABLE) as exc:
            await close_client(write)
            await close_client(read)
            hint = (
                f"check the user and password (URL, streams.settings, ${ENV_USERNAME} / ${ENV_PASSWORD})"
                if isinstance(exc, AuthenticationError) or "NOAUTH" in str(exc) or "WRONGPASS" in str(exc)
                else "check that Redis is running and streams.connection_str points to it"
            )
            raise StreamOSError(
                f"Cannot connect to Redis at {self.safe_address}: {type(exc).__name__}: {exc}; {hint}"
            ) from exc
        self._write_client, self._read_client = write, read
        slots = Slots(self.settings.max_connections, self.settings.pool_timeout)
        self._writes = WriteBatcher(write, None, slots, self._trim_watch.trimmed)
        self._acks = AckBatcher(read, self.settings.socket_timeout)
        logger.info("Connected to Redis streams at %s as consumer '%s'", self.safe_address, self.consumer_id)
        return self

    async def close(self) -> None:
        """Finish batches in flight, stop checking trims, and close both connection pools."""
        writes, acks = self._writes, self._acks
        write, read, ping = self._write_client, self._read_client, self._ping_client
        self._writes = self._acks = None
        self._write_client = self._read_client = self._ping_client = None
        for batcher in (writes, acks):
            if batcher is not None:
                await batcher.close()
        await self._trim_watch.close()
        for client in (write, read, ping):
            if client is not None:
                await close_client(client)

    async def ping(self) -> None:
        """``PING`` Redis, answering within ``PING_TIMEOUT_SECONDS`` even when Redis is gone (for ``/ready``).

        On a connection of its own, opened at the first call: a busy pool never fails it, and a
        blocked read never delays it. After a Redis restart it reconnects on the next call.

        :raises StreamOSError: the manager is closed, or Redis does not answer in time or refuses.
        """
        self._connected(self._write_client)
        if self._ping_client is None:
            quick = dataclasses.replace(
                self.settings, max_connections=1, pool_timeout=PING_TIMEOUT_SECONDS, reconnect_retries=1,
                socket_timeout=PING_TIMEOUT_SECONDS, socket_connect_timeout=PING_TIMEOUT_SECONDS,
            )
            self._ping_client = open_client(self._url, quick, reads=False)
        try:
            await asyncio.wait_for(self._ping_client.ping(), PING_TIMEOUT_SECONDS)
        except (RedisError, *UNREACHABLE) as exc:
            raise StreamOSError(
                f"Redis at {self.safe_address} does not answer PING: {type(exc).__name__}: {exc}"
            ) from exc

    def _connected(self, client: Optional[_T]) -> _T:
        if client is None:
            raise StreamOSError(f"Redis stream manager for {self.safe_address} is not connected: await connect() first")
        return client

    # -- writing -------------------------------------------------------------------------------

    async def publish(self, write: StreamWrite, payloads: Sequence[EventPayload]) -> int:
        """Publish one ``XADD`` per payload (then ``XTRIM MAXLEN ~ target_max_len`` when > 0); returns how many.

        Concurrent calls share one round trip.

        :raises StreamBusyError: when no write connection was free within ``pool_timeout``.
        :raises StreamOSError: when the messages could not be delivered to Redis (some may have been
            written: at least once).
        """
        encoded = encode_messages(
            payloads=[self.as_data_event(payload) for payload in payloads],
            queue=write.queue,
            track_ids=write.track_ids,
            auth_info=write.auth_info,
            compression=write.compression,
            serialization=write.serialization,
        )
        if not encoded:
            return 0
        writes = self._connected(self._writes)
        stream_name, count = write.stream_name, len(encoded)
        try:
            await writes.write(stream_name, encoded, write.target_max_len)
        except StreamBusyError:
            raise  # every write connection busy: Redis is healthy
        except UNREACHABLE as exc:
            if pool_exhausted(exc):
                raise StreamBusyError(
                    f"No Redis write connection free for {count} message(s) to stream '{stream_name}': {exc}"
                ) from exc
            raise StreamOSError(
                f"Cannot write {count} message(s) to stream '{stream_name}' at Redis {self.safe_address}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        except RedisError as exc:
            raise StreamOSError(
                f"Redis at {self.safe_address} refused {count} message(s) to stream '{stream_name}': "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        return count

    # -- reading -------------------------------------------------------------------------------

    async def ensure_consumer_group(self, *, stream_name: str, consumer_group: str) -> None:
        """``XGROUP CREATE <stream> <group> 0 MKSTREAM``; an existing group is left as it is.

        :raises StreamOSError: when Redis cannot be reached.
        """
        client = self._connected(self._read_client)
        try:
            await self._bounded(client.xgroup_create(stream_name, consumer_group, id="0", mkstream=True))
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise StreamOSError(
                    f"Cannot create consumer group '{consumer_group}' on '{stream_name}': {exc}"
                ) from exc
        except UNREACHABLE as exc:
            raise StreamOSError(
                f"Cannot create consumer group '{consumer_group}' on '{stream_name}' at Redis {self.safe_address}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    async def read_stream(
        self,
        *,
        stream_name: str,
        consumer_group: str,
        datatypes: Dict[str, type],
        track_headers: List[str],
        offset: str,
        batch_size: int,
        timeout: int,
        batch_interval: int,
    ) -> List[Union[StreamEvent, Exception]]:
        """Up to ``batch_size`` messages: redeliveries first, then new ones, waiting up to ``timeout`` ms.

        Returns as soon as messages arrive (``batch_interval`` is not slept). Undecodable messages
        come back as exceptions and stay pending (to be dead-lettered after ``max_deliveries``), except
        refused ones (``MessageRefusedError``: a serialization not allowed for the stream), which are
        dead-lettered at once.

        :raises StreamBusyError: when no read connection was free within ``pool_timeout``.
        :raises StreamOSError: when Redis cannot be reached (its own pending messages are read again
            once it answers).
        """
        client = self._connected(self._read_client)
        [entries] = await self._fetch_reporting(client, [stream_name], consumer_group, offset, batch_size, timeout)
        return await self._decode(client, stream_name, consumer_group, datatypes, track_headers, entries)

    async def read_streams(
        self,
        *,
        stream_names: List[str],
        consumer_group: str,
        datatypes: Dict[str, type],
        track_headers: List[str],
        offset: str,
        batch_size: int,
        timeout: int,
        batch_interval: int,
    ) -> List[_StreamItem]:
        """Up to ``batch_size`` messages of each stream with one ``XREADGROUP``, waiting up to ``timeout`` ms for any.

        Each stream is read as by ``read_stream``: its redeliveries first (then the others' new
        messages are read without waiting), undecodable messages as exceptions left pending,
        refused ones dead-lettered. Items come with the name of their stream, in the order named.

        :raises StreamBusyError: when no read connection was free within ``pool_timeout``.
        :raises StreamOSError: when Redis cannot be reached.
        """
        client = self._connected(self._read_client)
        found = await self._fetch_reporting(client, stream_names, consumer_group, offset, batch_size, timeout)
        items: List[_StreamItem] = []
        for stream_name, entries in zip(stream_names, found):
            if entries:
                decoded = await self._decode(client, stream_name, consumer_group, datatypes, track_headers, entries)
                items.extend((stream_name, item) for item in decoded)
        return items

    async def record_failures(
        self, *, stream_name: str, consumer_group: str, failures: Sequence[Tuple[StreamEvent, BaseException]]
    ) -> None:
        """Keep the error of each failed message (``<type>: <message>``) for its dead-letter entry."""
        client = self._read_client
        if client is not None and failures:
            errors = [(event.msg_internal_id, error_text(error)) for event, error in failures]
            await self._record_errors(client, stream_name, errors)

    async def ack_read_stream(self, *, stream_name: str, consumer_group: str, stream_event: StreamEvent) -> int:
        """``XACK`` one processed message; returns 1, or 0 if it was not pending.

        Acknowledgements issued in the same loop turn share one ``XACK`` (see ``AckBatcher.ack``).

        :raises StreamOSError: when Redis cannot be reached (the message stays pending and is delivered again).
        """
        acks = self._connected(self._acks)
        msg_id = stream_event.msg_internal_id
        return await self._acknowledged(
            acks.ack(stream_name, consumer_group, msg_id), f"message {msg_id.decode()}", stream_name
        )

    async def ack_read_stream_batch(
        self, *, stream_name: str, consumer_group: str, stream_events: List[StreamEvent]
    ) -> int:
        """``XACK`` the messages of a processed batch in one command; returns how many were pending.

        :raises StreamOSError: when Redis cannot be reached (the messages stay pending and are delivered again).
        """
        if not stream_events:
            return 0
        client = self._connected(self._read_client)
        ids = [event.msg_internal_id for event in stream_events]
        return await self._acknowledged(
            self._bounded(client.xack(stream_name, consumer_group, *ids)), f"{len(ids)} message(s)", stream_name
        )

    async def _acknowledged(self, ack: Awaitable[Any], what: str, stream_name: str) -> int:
        """Await an ``XACK``; raises ``StreamOSError`` when Redis cannot be reached (own pending read again later)."""
        try:
            return int(await ack)
        except (RedisError, *UNREACHABLE) as exc:
            if pool_exhausted(exc):
                raise StreamBusyError(f"No Redis connection free to acknowledge {what} of '{stream_name}'") from exc
            self.redelivery.reconnected()
            raise StreamOSError(
                f"Cannot acknowledge {what} of '{stream_name}' at Redis {self.safe_address}: "
                f"{type(exc).__name__}: {exc}; left pending, to be delivered again"
            ) from exc

    # -- observability -------------------------------------------------------------------------

    async def group_stats(self, *, stream_name: str, consumer_group: str) -> Optional[StreamGroupStats]:
        """``pending`` and ``lag`` of the group as ``XINFO GROUPS`` tells them, and what this manager dead-lettered.

        ``lag`` is None where Redis does not tell it (before Redis 7, or when it cannot know). None
        when the stream or the group does not exist. On the write pool: a read blocked in
        ``XREADGROUP`` never delays it.

        :raises StreamOSError: when Redis cannot be reached.
        """
        client = self._connected(self._write_client)
        try:
            groups = await self._bounded(client.xinfo_groups(stream_name))
        except ResponseError:  # no such stream
            return None
        except (RedisError, *UNREACHABLE) as exc:
            raise StreamOSError(
                f"Cannot read the groups of '{stream_name}' at Redis {self.safe_address}: {type(exc).__name__}: {exc}"
            ) from exc
        for group in groups:
            name = group.get("name")
            if (name.decode() if isinstance(name, bytes) else name) == consumer_group:
                lag = group.get("lag")
                dead = self.redelivery.dead_lettered_groups.get((stream_name, consumer_group), 0)
                return StreamGroupStats(pending=int(group.get("pending") or 0),
                                        lag=None if lag is None else int(lag), dead_lettered=dead)
        return None

    def stats(self) -> Dict[str, Dict[str, int]]:
        """Counters per stream: ``reclaimed``, ``dead_lettered`` and ``trimmed_unread`` messages.

        ``reclaimed`` were taken over from idle consumers; ``trimmed_unread`` were trimmed by
        ``target_max_len`` before a consumer group processed them.
        """
        return {
            "reclaimed": dict(self.redelivery.reclaimed),
            "dead_lettered": dict(self.redelivery.dead_lettered),
            "trimmed_unread": dict(self.trimmed_unread.counts),
        }
