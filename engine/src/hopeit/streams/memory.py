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
  consumer's own pending messages after that id, without waiting.

Memory rule: an entry is dropped once every consumer group of its stream has acknowledged it, and
``target_max_len`` trims the oldest entries as Redis ``MAXLEN ~`` does. Entries of a stream with
no group are kept (a group created later reads them, as on Redis) up to ``target_max_len``, or the
``max_len`` option of ``StreamsConfig.settings`` when set. A pending message keeps its data until
acknowledged, even once trimmed. Unlike Redis, a group created late does not see entries already
acknowledged by all the other groups.

For tests and ops: ``pending(stream, group)`` lists unacknowledged messages (like ``XPENDING``),
``stream_length(stream)`` counts entries (like ``XLEN``) and ``MemoryStreamManager.clear(address)``
drops streams. A closed manager refuses calls with ``StreamOSError`` until ``connect()`` again.

Managers of one address run on one event loop at a time (no locks: asyncio is single threaded);
a write still wakes a reader blocked in another thread's loop.
"""

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Set, Tuple, Union

from hopeit.app._server_models import StreamsConfig
from hopeit.app.config import Compression, Serialization
from hopeit.dataobjects import EventPayload
from hopeit.streams import StreamConfigError, StreamEvent, StreamManager, StreamOSError
from hopeit.streams.messages import MessageFields, MessageReader, encode_own, encode_shared, utc_iso_now

__all__ = ["MemoryStreamManager", "NoConsumerGroupError", "PendingMessage"]

_MsgId = Tuple[int, int]  # (milliseconds, sequence), ordered like Redis ids


class NoConsumerGroupError(StreamConfigError):
    """The stream or consumer group read does not exist (Redis answers ``NOGROUP``)."""


@dataclass(frozen=True)
class PendingMessage:
    """A message delivered to a consumer group and not yet acknowledged."""

    msg_id: bytes
    consumer: str
    delivery_count: int


class _Entry:
    __slots__ = ("key", "msg_id", "own", "serial", "shared")

    def __init__(self, serial: int, msg_id: _MsgId, own: MessageFields, shared: MessageFields) -> None:
        self.serial = serial  # position in the stream: ids may repeat a millisecond, serials never
        self.msg_id = msg_id
        self.key = _format_id(msg_id)  # the id readers see and acknowledge with
        self.own = own  # fields of this message (encode_own)
        self.shared = shared  # fields of every message of its write (encode_shared)


class _Pending:
    __slots__ = ("consumer", "delivery_count", "entry")

    def __init__(self, entry: _Entry, consumer: str) -> None:
        self.entry = entry  # keeps the data of a pending message alive even once trimmed
        self.consumer = consumer
        self.delivery_count = 1


class _Group:
    __slots__ = ("next_serial", "pending")

    def __init__(self, next_serial: int) -> None:
        self.next_serial = next_serial
        self.pending: OrderedDict[bytes, _Pending] = OrderedDict()  # by entry key, in delivery order


class _Stream:
    __slots__ = ("entries", "groups", "last_id", "next_serial", "waiters")

    def __init__(self) -> None:
        self.entries: OrderedDict[int, _Entry] = OrderedDict()
        self.groups: Dict[str, _Group] = {}
        self.next_serial = 0
        self.last_id: _MsgId = (0, 0)
        # Futures rather than asyncio.Condition: streams outlive event loops (one per test) and a
        # future belongs to the loop of the reader that created it.
        self.waiters: Set[asyncio.Future[None]] = set()

    def append(self, owns: List[MessageFields], shared: MessageFields) -> None:
        now_ms = int(time.time() * 1000)
        for own in owns:
            ms, seq = self.last_id
            self.last_id = (now_ms, 0) if now_ms > ms else (ms, seq + 1)
            self.entries[self.next_serial] = _Entry(self.next_serial, self.last_id, own, shared)
            self.next_serial += 1

    def trim(self, max_len: int) -> None:
        while len(self.entries) > max_len:
            self.entries.popitem(last=False)

    def take_new(self, group: _Group, consumer: str, count: int) -> List[_Entry]:
        if self.entries:
            # entries trimmed before this group read them are lost to it, as on Redis
            group.next_serial = max(group.next_serial, next(iter(self.entries)))
        taken: List[_Entry] = []
        while group.next_serial < self.next_serial and (count <= 0 or len(taken) < count):
            entry = self.entries.get(group.next_serial)
            group.next_serial += 1
            if entry is not None:  # holes: entries acked by every group before this one existed
                group.pending[entry.key] = _Pending(entry, consumer)
                taken.append(entry)
        return taken

    def acked_by_all(self, entry: _Entry) -> bool:
        for group in self.groups.values():
            if group.next_serial <= entry.serial or entry.key in group.pending:
                return False
        return True


def _wake(waiters: Set["asyncio.Future[None]"]) -> None:
    try:
        running: Optional[asyncio.AbstractEventLoop] = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    for waiter in list(waiters):
        if waiter.get_loop() is running:
            _resolve(waiter)
            continue
        try:
            waiter.get_loop().call_soon_threadsafe(_resolve, waiter)
        except RuntimeError:  # the reader's loop is closed: nobody left to wake
            waiters.discard(waiter)


def _resolve(waiter: "asyncio.Future[None]") -> None:
    if not waiter.done():
        waiter.set_result(None)


def _format_id(msg_id: _MsgId) -> bytes:
    return f"{msg_id[0]}-{msg_id[1]}".encode()


def _parse_id(offset: str) -> _MsgId:
    ms, _, seq = offset.partition("-")
    try:
        return int(ms), int(seq or 0)
    except ValueError:
        raise ValueError(
            f"Invalid stream offset '{offset}': use '>' for new messages, or an id like '0' or '1700000000000-0'"
        ) from None


#: address -> stream name -> stream; shared by every manager of the process
_STREAMS: Dict[str, Dict[str, _Stream]] = {}


class MemoryStreamManager(StreamManager):
    """Stream manager keeping streams in the process; see the module documentation."""

    def __init__(self, *, address: str, config: Optional[StreamsConfig] = None) -> None:
        super().__init__(address=address, config=config)
        self.consumer_id = self._consumer_id()
        self.max_len = int(self.config.settings.get("max_len", 0))
        self._closed = False
        self._waiters: Set[asyncio.Future[None]] = set()

    @staticmethod
    def clear(address: Optional[str] = None) -> None:
        """Drop every stream at ``address`` (at every address when ``None``); blocked readers return ``[]``."""
        for addr in [address] if address is not None else list(_STREAMS):
            for stream in _STREAMS.pop(addr, {}).values():
                _wake(stream.waiters)

    def _streams(self) -> Dict[str, _Stream]:
        if self._closed:
            raise StreamOSError(f"Memory stream manager at '{self.address}' is closed: call connect() to use it again")
        return _STREAMS.setdefault(self.address, {})

    def _group(self, stream_name: str, consumer_group: str, *, inspect: bool = False) -> Tuple[_Stream, _Group]:
        streams = _STREAMS.get(self.address, {}) if inspect else self._streams()
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
        _wake(self._waiters)

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
        """Append one message to ``stream_name`` (created if absent); returns 1."""
        return await self.write_stream_batch(
            stream_name=stream_name,
            queue=queue,
            payloads=[payload],
            track_ids=track_ids,
            auth_info=auth_info,
            compression=compression,
            serialization=serialization,
            target_max_len=target_max_len,
        )

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
        """Append several messages and wake blocked readers once; returns the number written."""
        streams = self._streams()
        shared = encode_shared(
            queue=queue,
            track_ids=track_ids,
            auth_info=auth_info,
            compression=compression,
            serialization=serialization,
        )
        owns = [encode_own(self.as_data_event(payload), compression, serialization) for payload in payloads]
        stream = streams.get(stream_name)
        if stream is None:
            stream = streams[stream_name] = _Stream()
        stream.append(owns, shared)
        max_len = target_max_len if target_max_len > 0 else self.max_len
        if max_len > 0:
            stream.trim(max_len)
        if owns:
            _wake(stream.waiters)
        return len(owns)

    async def ensure_consumer_group(self, *, stream_name: str, consumer_group: str) -> None:
        """Create ``consumer_group`` reading from the oldest entry (and the stream if absent); no-op if it exists."""
        streams = self._streams()
        stream = streams.get(stream_name)
        if stream is None:
            stream = streams[stream_name] = _Stream()
        if consumer_group not in stream.groups:
            first = next(iter(stream.entries), stream.next_serial)
            stream.groups[consumer_group] = _Group(first)

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

        :raises NoConsumerGroupError: when the group (or the stream) does not exist.
        """
        stream, group = self._group(stream_name, consumer_group)
        if offset == ">":
            entries = await self._wait_new(stream_name, stream, group, batch_size, timeout)
        else:
            entries = self._history(group, _parse_id(offset), batch_size)
        reader = MessageReader(
            stream_name=stream_name,
            consumer_group=consumer_group,
            datatypes=datatypes,
            track_headers=track_headers,
            read_ts=utc_iso_now(),
        )
        return [reader.decode_split(entry.key, entry.own, entry.shared) for entry in entries]

    async def _wait_new(
        self, stream_name: str, stream: _Stream, group: _Group, batch_size: int, timeout: int
    ) -> List[_Entry]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout / 1000
        while True:
            entries = stream.take_new(group, self.consumer_id, batch_size)
            remaining = deadline - loop.time()
            if entries or self._closed or (timeout > 0 and remaining <= 0):
                return entries
            waiter: asyncio.Future[None] = loop.create_future()
            stream.waiters.add(waiter)
            self._waiters.add(waiter)
            try:
                # another consumer may take what woke us: then loop and wait the time left
                await asyncio.wait([waiter], timeout=remaining if timeout > 0 else None)
            finally:
                stream.waiters.discard(waiter)
                self._waiters.discard(waiter)
            if not waiter.done() or _STREAMS.get(self.address, {}).get(stream_name) is not stream:
                return []  # timed out, or the streams were cleared

    def _history(self, group: _Group, after: _MsgId, count: int) -> List[_Entry]:
        entries: List[_Entry] = []
        for pending in group.pending.values():
            if count > 0 and len(entries) >= count:
                break
            if pending.consumer == self.consumer_id and pending.entry.msg_id > after:
                pending.delivery_count += 1
                entries.append(pending.entry)
        return entries

    async def ack_read_stream(self, *, stream_name: str, consumer_group: str, stream_event: StreamEvent) -> int:
        """Remove the message from the group's pending list; returns 1, or 0 when it was not pending."""
        stream = self._streams().get(stream_name)
        group = None if stream is None else stream.groups.get(consumer_group)
        if stream is None or group is None:
            return 0
        return self._ack(stream, group, stream_event)

    async def ack_read_stream_batch(
        self, *, stream_name: str, consumer_group: str, stream_events: List[StreamEvent]
    ) -> int:
        """Remove the messages from the group's pending list; returns how many were pending."""
        stream = self._streams().get(stream_name)
        group = None if stream is None else stream.groups.get(consumer_group)
        if stream is None or group is None:
            return 0
        acked = 0
        for stream_event in stream_events:
            acked += self._ack(stream, group, stream_event)
        return acked

    @staticmethod
    def _ack(stream: _Stream, group: _Group, stream_event: StreamEvent) -> int:
        pending = group.pending.pop(stream_event.msg_internal_id, None)
        if pending is None:
            return 0
        entry = pending.entry
        if stream.entries.get(entry.serial) is entry and stream.acked_by_all(entry):
            del stream.entries[entry.serial]
        return 1

    def pending(self, stream_name: str, consumer_group: str) -> List[PendingMessage]:
        """Messages of ``consumer_group`` read and not acknowledged, oldest first (like ``XPENDING``).

        Works on a closed manager too, to inspect what an engine left behind.
        """
        _, group = self._group(stream_name, consumer_group, inspect=True)
        return [
            PendingMessage(msg_id=p.entry.key, consumer=p.consumer, delivery_count=p.delivery_count)
            for p in group.pending.values()
        ]

    def stream_length(self, stream_name: str) -> int:
        """Number of entries kept in ``stream_name`` (0 when absent, like ``XLEN``); works once closed too."""
        stream = _STREAMS.get(self.address, {}).get(stream_name)
        return 0 if stream is None else len(stream.entries)
