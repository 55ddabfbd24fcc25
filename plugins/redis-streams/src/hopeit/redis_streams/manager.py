"""``RedisStreamManager``: the engine's StreamManager on Redis Streams and consumer groups."""

import asyncio
import logging
from typing import Any, Awaitable, Dict, List, Optional, Sequence, Tuple, TypeVar, Union

import redis.asyncio as aioredis
from hopeit.dataobjects import EventPayload
from hopeit.redis_streams._connection import close_client, open_client, pool_exhausted
from hopeit.redis_streams._consumer import consumer_name
from hopeit.redis_streams._pipeline import AckBatcher, Slots, WriteBatcher
from hopeit.redis_streams._redelivery import DeadLetter, Redelivery, entries_of
from hopeit.redis_streams._trimming import TrimWatch
from hopeit.redis_streams.settings import ENV_PASSWORD, ENV_USERNAME, load_settings, safe_address
from hopeit.streams import (
    MessageRefusedError,
    StreamBusyError,
    StreamEvent,
    StreamManager,
    StreamOSError,
    StreamsConfig,
    StreamWrite,
)
from hopeit.streams.messages import MessageReader, encode_messages, error_text, utc_iso_now
from hopeit.streams.trimming import UnreadTrimCounter
from redis.exceptions import AuthenticationError, RedisError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

__all__ = ["RedisStreamManager"]

logger = logging.getLogger("hopeit.redis_streams")

_T = TypeVar("_T")

#: Errors that mean "Redis cannot be reached right now": raised as ``StreamOSError``, for the engine's
#: circuit breaker to back off and retry.
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError, asyncio.TimeoutError)


class RedisStreamManager(StreamManager):
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
        except (RedisError, *_UNREACHABLE) as exc:
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
        write, read = self._write_client, self._read_client
        self._writes = self._acks = None
        self._write_client = self._read_client = None
        for batcher in (writes, acks):
            if batcher is not None:
                await batcher.close()
        await self._trim_watch.close()
        for client in (write, read):
            if client is not None:
                await close_client(client)

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
        except _UNREACHABLE as exc:
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
        except _UNREACHABLE as exc:
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
        try:
            try:
                entries = await self._fetch(client, stream_name, consumer_group, offset, batch_size, timeout)
            except ResponseError as exc:
                if not str(exc).startswith("NOGROUP"):
                    raise
                # the group vanished (Redis restarted without persistence, or the stream was deleted)
                logger.warning("Consumer group '%s' of '%s' missing in Redis: creating it", consumer_group, stream_name)
                await self.ensure_consumer_group(stream_name=stream_name, consumer_group=consumer_group)
                entries = await self._fetch(client, stream_name, consumer_group, offset, batch_size, timeout)
        except (RedisError, StreamOSError, *_UNREACHABLE) as exc:
            if pool_exhausted(exc):  # too many reads for the pool: not a Redis failure
                raise StreamBusyError(f"No Redis read connection free for stream '{stream_name}': {exc}") from exc
            self.redelivery.reconnected()
            raise StreamOSError(
                f"Cannot read stream '{stream_name}' group '{consumer_group}' at Redis {self.safe_address}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
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
        except (RedisError, *_UNREACHABLE) as exc:  # left pending: refused again on its next delivery
            logger.warning("Cannot dead-letter %d refused message(s) of '%s': %s", len(letters), stream_name, exc)
            return
        for index, _ in refused:
            error = items[index]
            assert isinstance(error, MessageRefusedError)
            items[index] = MessageRefusedError(
                f"{error}; moved to dead-letter stream '{target}'", msg_id=error.msg_id, reason=error.reason
            )

    async def record_failures(
        self, *, stream_name: str, consumer_group: str, failures: Sequence[Tuple[StreamEvent, BaseException]]
    ) -> None:
        """Keep the error of each failed message (``<type>: <message>``) for its dead-letter entry."""
        client = self._read_client
        if client is not None and failures:
            errors = [(event.msg_internal_id, error_text(error)) for event, error in failures]
            await self._record_errors(client, stream_name, errors)

    async def _record_errors(self, client: "aioredis.Redis", stream_name: str, errors: List[Tuple[bytes, str]]) -> None:
        try:
            await self._bounded(self.redelivery.record_errors(client, stream_name, errors))
        except (RedisError, *_UNREACHABLE) as exc:  # only the dead-letter detail is lost
            logger.debug("Cannot record errors of %d message(s) of '%s': %s", len(errors), stream_name, exc)

    async def _fetch(
        self, client: "aioredis.Redis", stream: str, group: str, offset: str, batch_size: int, timeout: int
    ) -> List[Any]:
        if offset == ">":
            entries = await self._bounded(self.redelivery.fetch(client, stream, group, batch_size))
            if entries:
                return entries
        reading = client.xreadgroup(group, self.consumer_id, {stream: offset}, count=batch_size, block=timeout)
        # BLOCK 0 waits for a message however long it takes: then only a closed connection ends it
        reply = await (self._bounded(reading, extra=timeout / 1000) if timeout > 0 else reading)
        return entries_of(reply)

    async def _bounded(self, call: Awaitable[_T], extra: float = 0.0) -> _T:
        """Run a read-side call within the socket timeout (plus ``extra`` for blocking reads)."""
        return await asyncio.wait_for(call, self.settings.socket_timeout + extra)

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
        except (RedisError, *_UNREACHABLE) as exc:
            if pool_exhausted(exc):
                raise StreamBusyError(f"No Redis connection free to acknowledge {what} of '{stream_name}'") from exc
            self.redelivery.reconnected()
            raise StreamOSError(
                f"Cannot acknowledge {what} of '{stream_name}' at Redis {self.safe_address}: "
                f"{type(exc).__name__}: {exc}; left pending, to be delivered again"
            ) from exc

    # -- observability -------------------------------------------------------------------------

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

