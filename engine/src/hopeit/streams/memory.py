"""In-process streams with Redis-like consumer groups: ``"stream_manager": "memory"``.

Lets apps that write and read streams run with no Redis at all (development, tests, a single
process). It keeps the semantics of the redis-streams backend so an app behaves the same on both:

* streams live in the process, shared by every ``MemoryStreamManager`` created with the same
  ``address`` (the ``connection_str``), so the AppEngines of one server see each other's messages;
* messages hold the fields of ``hopeit.streams.messages.encode_message`` (what the messages of one
  write share is kept once): payloads are serialized and compressed as on Redis, and every read
  decodes an independent copy;
* ``ensure_consumer_group`` creates a group that reads from the start of the stream; every group
  sees every message, the consumers of one group (one per manager instance) share them, and a
  message read stays pending for its group until acknowledged;
* ``read_stream(offset=">")`` waits up to ``timeout`` ms (``0`` waits until a message arrives, as
  Redis ``BLOCK 0``) and wakes as soon as a message is written; any other offset re-reads the
  consumer's own pending messages after that id, without waiting. ``read_streams`` reads several
  streams so, with one wait that a message written to any of them ends.

Memory rule: an entry is dropped once every consumer group of its stream has acknowledged it, and
``target_max_len`` trims the oldest entries as Redis ``MAXLEN ~`` does. Entries of a stream with
no group are kept (a group created later reads them, as on Redis) up to ``target_max_len``, or the
``max_len`` option of ``StreamsConfig.settings`` when set. A pending message keeps its data until
acknowledged, even once trimmed. Unlike Redis, a group created late does not see entries already
acknowledged by all the other groups.

Entries that ``target_max_len`` (or ``max_len``) trims before some group read them are lost to
that group: they are counted in ``stats()["trimmed_unread"]`` and a warning is logged (at most one a
minute per stream) on logger ``hopeit.streams``.

A read decodes only the serializations allowed for its stream and group (JSON, plus what
``allow_serializations`` adds; the engine allows pickle where the reading event's config names
it). A message naming another one is never decoded: it is moved to the dead-letter stream
``<stream><dead_letter_suffix>`` (option ``dead_letter_suffix`` of ``StreamsConfig.settings``,
default ``.dlq``) with the ``dlq.*`` fields of the redis-streams plugin, acknowledged, counted in
``stats()["dead_lettered"]``, and returned as a ``MessageRefusedError`` item for the engine to log.
``dead_letters(stream)`` lists them.

At least once, as on redis-streams: a message read and not acknowledged (its event failed or timed
out, or its acknowledgement failed) stays pending, and once it has been pending ``claim_idle_ms``
(option of ``StreamsConfig.settings``, default 120000) the next read of its group delivers it again,
to whichever consumer reads, before new messages. Past ``max_deliveries`` deliveries (default 5;
``0``: never) it is dead-lettered instead, with the last error ``record_failures`` told, and a
warning is logged. ``stats()["reclaimed"]`` counts the messages delivered again. Pending time is read
from ``manager.clock`` (``time.monotonic``; tests may set another).

For tests and ops: ``pending(stream, group)`` lists unacknowledged messages (like ``XPENDING``),
``stream_length(stream)`` counts entries (like ``XLEN``) and ``MemoryStreamManager.clear(address)``
drops streams. A closed manager refuses calls with ``StreamOSError`` until ``connect()`` again.

Managers of one address run on one event loop at a time (no locks: asyncio is single threaded);
a write still wakes a reader blocked in another thread's loop.
"""

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple, Union

from hopeit.dataobjects import EventPayload
from hopeit.streams import (
    MessageRefusedError,
    StreamConfigError,
    StreamEvent,
    StreamGroupStats,
    StreamItem,
    StreamManager,
    StreamOSError,
    StreamsConfig,
    StreamWrite,
)
from hopeit.streams._memory_redelivery import Redelivery, int_setting
from hopeit.streams._memory_store import STREAMS, Entry, Group, MemoryStream, MsgId, Pending, parse_id, wake
from hopeit.streams.messages import MessageFields, MessageReader, encode_own, encode_shared, utc_iso_now
from hopeit.streams.trimming import UnreadTrimCounter

__all__ = ["MemoryStreamManager", "NoConsumerGroupError", "PendingMessage"]

logger = logging.getLogger("hopeit.streams")


class NoConsumerGroupError(StreamConfigError):
    """The stream or consumer group read does not exist (Redis answers ``NOGROUP``)."""


@dataclass(frozen=True)
class PendingMessage:
    """A message delivered to a consumer group and not yet acknowledged."""

    msg_id: bytes
    consumer: str
    delivery_count: int


class MemoryStreamManager(StreamManager):
    """Stream manager keeping streams in the process; see the module documentation."""

    def __init__(self, *, address: str, config: Optional[StreamsConfig] = None) -> None:
        super().__init__(address=address, config=config)
        self.consumer_id = self._consumer_id()
        self.max_len = int_setting(self.config, "max_len", 0, minimum=0)
        self.redelivery = Redelivery(self.config, self.consumer_id, self._stream)
        self.dead_letter_suffix = self.redelivery.dead_letter_suffix
        #: time source of pending times (seconds); tests may set one they move themselves
        self.clock: Callable[[], float] = time.monotonic
        self.trimmed_unread = UnreadTrimCounter(logger)
        self._closed = False
        self._waiters: Set[asyncio.Future[None]] = set()

    @staticmethod
    def clear(address: Optional[str] = None) -> None:
        """Drop every stream at ``address`` (at every address when ``None``); blocked readers return ``[]``."""
        for addr in [address] if address is not None else list(STREAMS):
            for stream in STREAMS.pop(addr, {}).values():
                wake(stream.waiters)

    def _streams(self) -> Dict[str, MemoryStream]:
        if self._closed:
            raise StreamOSError(f"Memory stream manager at '{self.address}' is closed: call connect() to use it again")
        return STREAMS.setdefault(self.address, {})

    def _stream(self, stream_name: str) -> MemoryStream:
        streams = self._streams()
        stream = streams.get(stream_name)
        if stream is None:
            stream = streams[stream_name] = MemoryStream()
        return stream

    def _group(self, stream_name: str, consumer_group: str, *, inspect: bool = False) -> Tuple[MemoryStream, Group]:
        streams = STREAMS.get(self.address, {}) if inspect else self._streams()
        stream = streams.get(stream_name)
        group = None if stream is None else stream.groups.get(consumer_group)
        if stream is None or group is None:
            raise NoConsumerGroupError(
                f"NOGROUP: no consumer group '{consumer_group}' on stream '{stream_name}' at '{self.address}': "
                "call ensure_consumer_group() before reading"
            )
        return stream, group

    async def connect(self) -> "MemoryStreamManager":
        """Nothing to connect to; re-opens a closed manager."""
        self._closed = False
        return self

    async def close(self) -> None:
        """Refuse further calls and make blocked ``read_stream`` calls return ``[]`` at once; streams stay."""
        self._closed = True
        wake(self._waiters)

    async def ping(self) -> None:
        """Nothing to reach: raises ``StreamOSError`` only once closed, as every other call then does."""
        self._streams()

    async def publish(self, write: StreamWrite, payloads: Sequence[EventPayload]) -> int:
        """Append one message per payload to ``write.stream_name`` (created if absent), waking blocked readers once.

        Returns the number written.
        """
        self._streams()
        compression, serialization = write.compression, write.serialization
        shared = encode_shared(
            queue=write.queue,
            track_ids=write.track_ids,
            auth_info=write.auth_info,
            compression=compression,
            serialization=serialization,
        )
        owns = [encode_own(self.as_data_event(payload), compression, serialization) for payload in payloads]
        stream = self._stream(write.stream_name)
        stream.append(owns, shared)
        max_len = write.target_max_len if write.target_max_len > 0 else self.max_len
        if max_len > 0:
            unread, groups = stream.trim(max_len)
            self.trimmed_unread.add(write.stream_name, unread, groups=groups, max_len=max_len)
        if owns:
            wake(stream.waiters)
        return len(owns)

    async def ensure_consumer_group(self, *, stream_name: str, consumer_group: str) -> None:
        """Create ``consumer_group`` reading from the oldest entry (and the stream if absent); no-op if it exists."""
        stream = self._stream(stream_name)
        if consumer_group not in stream.groups:
            first = next(iter(stream.entries), stream.next_serial)
            stream.groups[consumer_group] = Group(first)

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
        """Read up to ``batch_size`` messages for this manager's consumer in ``consumer_group``.

        ``batch_interval`` is not used: the read returns as soon as messages arrive or ``timeout`` passes.
        Messages pending ``claim_idle_ms`` come first (delivered again, or dead-lettered past
        ``max_deliveries``). Messages refused by the decoder (a serialization not allowed) are
        dead-lettered and come back as ``MessageRefusedError`` items.

        :raises NoConsumerGroupError: when the group (or the stream) does not exist.
        """
        items = await self.read_streams(
            stream_names=[stream_name], consumer_group=consumer_group, datatypes=datatypes,
            track_headers=track_headers, offset=offset, batch_size=batch_size, timeout=timeout,
            batch_interval=batch_interval,
        )
        return [item for _, item in items]

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
    ) -> List[StreamItem]:
        """Read up to ``batch_size`` messages from each stream, waiting once (up to ``timeout`` ms) for any of them.

        Each stream is read as by ``read_stream`` (its messages pending ``claim_idle_ms`` first),
        but the wait covers them all: a message written to any of the streams ends it. Items come
        with the name of their stream, the streams in the order named.

        :raises NoConsumerGroupError: when the group does not exist on one of the streams.
        """
        targets = [(name, *self._group(name, consumer_group)) for name in stream_names]
        if offset == ">":
            now = self.clock()
            found = [self.redelivery.stale(name, consumer_group, stream, group, batch_size, now)
                     for name, stream, group in targets]
            if any(found):  # the other streams' new messages come too, without waiting
                consumer = self.consumer_id
                found = [entries or stream.take_new(group, consumer, batch_size, now)
                         for (_, stream, group), entries in zip(targets, found)]
            elif targets:
                found = await self._wait_new(targets, batch_size, timeout)
        else:
            after = parse_id(offset)
            found = [self._history(group, after, batch_size) for _, _, group in targets]
        items: List[StreamItem] = []
        for (name, stream, group), entries in zip(targets, found):
            if entries:
                decoded = self._decode(name, consumer_group, stream, group, entries, datatypes, track_headers)
                items.extend((name, item) for item in decoded)
        return items

    def _decode(
        self, stream_name: str, consumer_group: str, stream: MemoryStream, group: Group, entries: List[Entry],
        datatypes: Dict[str, type], track_headers: List[str],
    ) -> List[Union[StreamEvent, Exception]]:
        """Messages of ``entries`` just delivered; those the decoder refuses are dead-lettered."""
        reader = MessageReader(
            stream_name=stream_name,
            consumer_group=consumer_group,
            datatypes=datatypes,
            track_headers=track_headers,
            read_ts=utc_iso_now(),
            serializations=self.allowed_serializations(stream_name, consumer_group),
        )
        items: List[Union[StreamEvent, Exception]] = []
        for entry in entries:
            item = reader.decode_split(entry.key, entry.own, entry.shared)
            if isinstance(item, MessageRefusedError):
                item = self.redelivery.refused(stream_name, consumer_group, stream, group, entry, item)
            items.append(item)
        return items

    async def _wait_new(
        self, targets: List[Tuple[str, MemoryStream, Group]], batch_size: int, timeout: int
    ) -> List[List[Entry]]:
        """New entries of each target for this consumer, waiting up to ``timeout`` ms for one of them to get some."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout / 1000
        consumer = self.consumer_id
        while True:
            now = self.clock()
            found = [stream.take_new(group, consumer, batch_size, now) for _, stream, group in targets]
            remaining = deadline - loop.time()
            if any(found) or self._closed or (timeout > 0 and remaining <= 0):
                return found
            waiter: asyncio.Future[None] = loop.create_future()
            for _, stream, _ in targets:
                stream.waiters.add(waiter)
            self._waiters.add(waiter)
            try:
                # another consumer may take what woke us: then loop and wait the time left
                await asyncio.wait([waiter], timeout=remaining if timeout > 0 else None)
            finally:
                for _, stream, _ in targets:
                    stream.waiters.discard(waiter)
                self._waiters.discard(waiter)
            streams = STREAMS.get(self.address, {})
            if not waiter.done() or any(streams.get(name) is not stream for name, stream, _ in targets):
                return [[] for _ in targets]  # timed out, or the streams were cleared

    def _history(self, group: Group, after: MsgId, count: int) -> List[Entry]:
        own: List[Pending] = []
        for pending in group.pending.values():
            if count > 0 and len(own) >= count:
                break
            if pending.consumer == self.consumer_id and pending.entry.msg_id > after:
                own.append(pending)
        group.redeliver(own, self.consumer_id, self.clock())  # as XREADGROUP with an id: counted, idle again
        return [pending.entry for pending in own]

    async def ack_read_stream(self, *, stream_name: str, consumer_group: str, stream_event: StreamEvent) -> int:
        """Remove the message from the group's pending list; returns 1, or 0 when it was not pending."""
        stream = self._streams().get(stream_name)
        group = None if stream is None else stream.groups.get(consumer_group)
        if stream is None or group is None:
            return 0
        return stream.ack(group, stream_event.msg_internal_id)

    async def ack_read_stream_batch(
        self, *, stream_name: str, consumer_group: str, stream_events: List[StreamEvent]
    ) -> int:
        """Remove the messages from the group's pending list; returns how many were pending."""
        stream = self._streams().get(stream_name)
        group = None if stream is None else stream.groups.get(consumer_group)
        if stream is None or group is None:
            return 0
        return sum(stream.ack(group, stream_event.msg_internal_id) for stream_event in stream_events)

    async def record_failures(
        self, *, stream_name: str, consumer_group: str, failures: Sequence[Tuple[StreamEvent, BaseException]]
    ) -> None:
        """Keep the error of each failed message (``<type>: <message>``) for its dead-letter entry."""
        stream = STREAMS.get(self.address, {}).get(stream_name)
        group = None if stream is None else stream.groups.get(consumer_group)
        if group is not None:
            self.redelivery.record_errors(group, failures)

    def pending(self, stream_name: str, consumer_group: str) -> List[PendingMessage]:
        """Messages of ``consumer_group`` read and not acknowledged, oldest message first (like ``XPENDING``).

        Works on a closed manager too, to inspect what an engine left behind.
        """
        _, group = self._group(stream_name, consumer_group, inspect=True)
        return [
            PendingMessage(msg_id=p.entry.key, consumer=p.consumer, delivery_count=p.delivery_count)
            for p in sorted(group.pending.values(), key=lambda pending: pending.entry.serial)
        ]

    def stream_length(self, stream_name: str) -> int:
        """Number of entries kept in ``stream_name`` (0 when absent, like ``XLEN``); works once closed too."""
        stream = STREAMS.get(self.address, {}).get(stream_name)
        return 0 if stream is None else len(stream.entries)

    def dead_letters(self, stream_name: str) -> List[MessageFields]:
        """The whole fields of every entry in the dead-letter stream of ``stream_name``, oldest first."""
        stream = STREAMS.get(self.address, {}).get(stream_name + self.dead_letter_suffix)
        if stream is None:
            return []
        return [{**entry.shared, **entry.own} for entry in stream.entries.values()]

    async def group_stats(self, *, stream_name: str, consumer_group: str) -> Optional[StreamGroupStats]:
        """Pending and lag of ``consumer_group`` (as Redis ``XINFO GROUPS``), and what this manager dead-lettered.

        None when the group does not exist. Works on a closed manager too.
        """
        stream = STREAMS.get(self.address, {}).get(stream_name)
        group = None if stream is None else stream.groups.get(consumer_group)
        if stream is None or group is None:
            return None
        # entries the group has not read are never dropped by acks, only trimmed from the front
        first_unread = max(group.next_serial, next(iter(stream.entries), stream.next_serial))
        dead = self.redelivery.dead_lettered_groups.get((stream_name, consumer_group), 0)
        return StreamGroupStats(pending=len(group.pending), lag=stream.next_serial - first_unread, dead_lettered=dead)

    def stats(self) -> Dict[str, Dict[str, int]]:
        """Counters per stream: ``reclaimed``, ``dead_lettered`` and ``trimmed_unread`` messages.

        ``reclaimed`` were delivered again; ``trimmed_unread`` were trimmed before a group read them.
        """
        return {
            "reclaimed": dict(self.redelivery.reclaimed),
            "dead_lettered": dict(self.redelivery.dead_lettered),
            "trimmed_unread": dict(self.trimmed_unread.counts),
        }

