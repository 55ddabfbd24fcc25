"""``RedisStreamManager``: the engine's StreamManager on Redis Streams and consumer groups."""

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, TypeVar, Union

import redis.asyncio as aioredis
from hopeit.app.config import Compression, Serialization
from hopeit.dataobjects import EventPayload
from hopeit.redis_streams._breaker import Backoff
from hopeit.redis_streams._connection import close_client, open_client
from hopeit.redis_streams._consumer import consumer_name
from hopeit.redis_streams._pipeline import AckBatcher, Pipeliner
from hopeit.redis_streams._redelivery import Redelivery, entries_of
from hopeit.redis_streams.settings import ENV_PASSWORD, ENV_USERNAME, load_settings, safe_address
from hopeit.streams import StreamEvent, StreamManager, StreamOSError, StreamsConfig
from hopeit.streams.messages import MessageFields, MessageReader, encode_message, encode_messages, utc_iso_now
from redis.asyncio.client import Pipeline
from redis.exceptions import AuthenticationError, RedisError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

__all__ = ["RedisStreamManager"]

logger = logging.getLogger("hopeit.redis_streams")

_T = TypeVar("_T")

#: Errors that mean "Redis cannot be reached right now": they open the circuit and are retried later.
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError, asyncio.TimeoutError)


class RedisStreamManager(StreamManager):
    """Publishes to and consumes from Redis Streams, at least once, losing nothing.

    Server config::

        "streams": {"stream_manager": "redis", "connection_str": "redis://localhost:6379",
                    "settings": {...options of RedisStreamsSettings...}}

    Messages use the engine's wire format (``hopeit.streams.messages``). Reads go through consumer
    groups with a consumer name stable across restarts; unacknowledged messages are delivered again
    (own pending ones after a restart, others' after ``claim_idle_ms``) and dead-lettered after
    ``max_deliveries``. Reads and writes use separate connection pools and back off separately.
    """

    def __init__(self, *, address: str, config: Optional[StreamsConfig] = None) -> None:
        super().__init__(address=address, config=config)
        self.settings, self._url = load_settings(address, self.config)
        self.safe_address = safe_address(address)
        self.consumer_id = consumer_name(self.settings)
        self._write_backoff = self._backoff()
        self._read_backoff = self._backoff()
        self._write_client: Optional[aioredis.Redis] = None
        self._read_client: Optional[aioredis.Redis] = None
        self._writes: Optional[Pipeliner] = None
        self._acks: Optional[AckBatcher] = None
        self._last_write_error = ""
        self.redelivery = Redelivery(settings=self.settings, consumer=self.consumer_id)

    # -- connections ---------------------------------------------------------------------------

    def _backoff(self) -> Backoff:
        return Backoff(
            initial=self.config.initial_backoff_seconds,
            maximum=self.config.max_backoff_seconds,
            failures_to_open=self.config.num_failures_open_circuit_breaker,
        )

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
        self._writes = Pipeliner(write, None)
        self._acks = AckBatcher(read, self.settings.socket_timeout)
        logger.info("Connected to Redis streams at %s as consumer '%s'", self.safe_address, self.consumer_id)
        return self

    async def close(self) -> None:
        """Finish batches in flight and close both connection pools."""
        writes, acks = self._writes, self._acks
        write, read = self._write_client, self._read_client
        self._writes = self._acks = None
        self._write_client = self._read_client = None
        for pipeliner in (writes, acks):
            if pipeliner is not None:
                await pipeliner.close()
        for client in (write, read):
            if client is not None:
                await close_client(client)

    def _connected(self, client: Optional[_T]) -> _T:
        if client is None:
            raise StreamOSError(f"Redis stream manager for {self.safe_address} is not connected: await connect() first")
        return client

    # -- writing -------------------------------------------------------------------------------

    async def write_stream(
        self,
        *,
        stream_name: str,
        queue: str,
        payload: EventPayload,
        track_ids: Dict[str, str],
        auth_info: Dict[str, Any],
        compression: Compression,
        serialization: Serialization,
        target_max_len: int = 0,
    ) -> int:
        """Publish one message with ``XADD`` (``MAXLEN ~ target_max_len`` when > 0); returns 1.

        Concurrent calls share one round trip.

        :raises StreamOSError: when the message could not be delivered to Redis.
        """
        fields = encode_message(
            payload=self.as_data_event(payload),
            queue=queue,
            track_ids=track_ids,
            auth_info=auth_info,
            compression=compression,
            serialization=serialization,
        )
        pipeliner = self._connected(self._writes)
        await self._write(stream_name, 1, lambda: pipeliner.call(_xadd(stream_name, fields, target_max_len)))
        return 1

    async def write_stream_batch(
        self,
        *,
        stream_name: str,
        queue: str,
        payloads: List[EventPayload],
        track_ids: Dict[str, str],
        auth_info: Dict[str, Any],
        compression: Compression,
        serialization: Serialization,
        target_max_len: int = 0,
    ) -> int:
        """Publish several messages in one round trip; returns how many were written.

        :raises StreamOSError: when they could not be delivered (some may have been written: at least once).
        """
        encoded = encode_messages(
            payloads=[self.as_data_event(payload) for payload in payloads],
            queue=queue,
            track_ids=track_ids,
            auth_info=auth_info,
            compression=compression,
            serialization=serialization,
        )
        if not encoded:
            return 0
        client = self._connected(self._write_client)

        async def send() -> None:
            pipe = client.pipeline(transaction=False)
            for fields in encoded:
                _xadd(stream_name, fields, target_max_len)(pipe)
            await pipe.execute()

        await self._write(stream_name, len(encoded), send)
        return len(encoded)

    async def _write(self, stream_name: str, count: int, send: Callable[[], Awaitable[Any]]) -> None:
        if self._write_backoff.is_open:
            raise StreamOSError(
                f"Redis at {self.safe_address} is not reachable for writes (next attempt in "
                f"{self._write_backoff.remaining():.1f}s; last error: {self._last_write_error}): "
                f"{count} message(s) to '{stream_name}' not written"
            )
        try:
            await send()
        except _UNREACHABLE as exc:
            self._last_write_error = f"{type(exc).__name__}: {exc}"
            backoff = self._write_backoff.failure()
            logger.warning("Redis writes to %s failing (%s), backing off %.1fs", self.safe_address, exc, backoff)
            raise StreamOSError(
                f"Cannot write {count} message(s) to stream '{stream_name}' at Redis {self.safe_address}: "
                f"{self._last_write_error}"
            ) from exc
        except RedisError as exc:
            raise StreamOSError(
                f"Redis at {self.safe_address} refused {count} message(s) to stream '{stream_name}': "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        self._write_backoff.success()

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

        Returns as soon as messages arrive (``batch_interval`` is not slept). While Redis cannot be
        reached, waits out the read back-off and returns ``[StreamOSError]``; undecodable messages
        come back as exceptions and stay pending (to be dead-lettered after ``max_deliveries``).
        """
        client = self._connected(self._read_client)
        wait = self._read_backoff.remaining()
        if wait > 0:
            await asyncio.sleep(wait)
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
            backoff = self._read_backoff.failure()
            self.redelivery.reconnected()
            return [
                StreamOSError(
                    f"Cannot read stream '{stream_name}' group '{consumer_group}' at Redis {self.safe_address}: "
                    f"{type(exc).__name__}: {exc}; retrying in {backoff:.1f}s"
                )
            ]
        self._read_backoff.success()
        reader = MessageReader(
            stream_name=stream_name,
            consumer_group=consumer_group,
            datatypes=datatypes,
            track_headers=track_headers,
            read_ts=utc_iso_now(),
        )
        events: List[Union[StreamEvent, Exception]] = []
        for msg_id, fields in entries:
            event = reader.decode(msg_id, fields)
            if isinstance(event, Exception):
                self.redelivery.note_error(stream_name, msg_id, event)
            events.append(event)
        return events

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
        """Await an ``XACK``; a Redis that cannot be reached backs reads off and raises ``StreamOSError``."""
        try:
            return int(await ack)
        except (RedisError, *_UNREACHABLE) as exc:
            self._read_backoff.failure()
            self.redelivery.reconnected()
            raise StreamOSError(
                f"Cannot acknowledge {what} of '{stream_name}' at Redis {self.safe_address}: "
                f"{type(exc).__name__}: {exc}; left pending, to be delivered again"
            ) from exc

    # -- observability -------------------------------------------------------------------------

    def stats(self) -> Dict[str, Dict[str, int]]:
        """Counters per stream: messages ``reclaimed`` from idle consumers and ``dead_lettered``."""
        return {"reclaimed": dict(self.redelivery.reclaimed), "dead_lettered": dict(self.redelivery.dead_lettered)}


def _xadd(stream_name: str, fields: MessageFields, target_max_len: int) -> Callable[[Pipeline], Any]:
    maxlen = target_max_len if target_max_len > 0 else None
    return lambda pipe: pipe.xadd(stream_name, fields, maxlen=maxlen, approximate=True)  # type: ignore[arg-type]

