"""The stream contract: what a stream manager (memory, redis, your own) implements.

A stream manager publishes payloads to named streams and reads them back through consumer groups:
every group sees every message, the members of one group share them, and a message read but not
acknowledged stays pending for its group. Stream managers are found by name in the
``hopeit.streams`` entry-point group and named in server config::

    "streams": {"stream_manager": "redis", "connection_str": "redis://localhost:6379"}

Messages are encoded by ``hopeit.streams.messages`` so every manager writes the same fields.
A message names its own serialization, but a reader decodes only those its config allows: JSON
always, pickle only where ``allow_serializations`` (called by the engine from the reading event's
config) adds it; others are refused unread (``MessageRefusedError``) and dead-lettered.

A manager implements ``publish(write, payloads)``: ``write`` is a ``StreamWrite`` saying where and
how (stream, queue, track ids, auth info, compression, serialization, trim target). Callers may use
``write_stream(...)``/``write_stream_batch(...)`` with keywords, as in 0.24; they build the
``StreamWrite``. A manager written for 0.24, implementing ``write_stream`` with keywords instead
of ``publish``, keeps working: ``publish`` then calls it.

A STREAM event may read several queues (streams ``name``, ``name.<queue>``, ...): the engine reads
them all with one ``read_streams(...)`` call, which waits once for whichever stream gets a message
first. Managers whose backend can wait on several streams at once override it (the memory manager,
redis-streams' one ``XREADGROUP``); others need not: its default reads each stream in turn with
``read_stream``, as 0.24 did.

As in 0.24, a method a subclass does not implement raises ``NotImplementedError`` when called, so
a partial subclass (a test double that only writes) can be instantiated. Type checkers still see
the methods every manager must implement as abstract, and plugin discovery refuses a stream
manager class that does not implement them.
"""

import inspect
import os
import socket
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple, Union

from hopeit.contracts._stream_records import (
    SAFE_SERIALIZATIONS,
    MessageRefusedError,
    StreamBusyError,
    StreamConfigError,
    StreamEvent,
    StreamGroupStats,
    StreamItem,
    StreamOSError,
    StreamWrite,
    stream_auth_info,
)
from hopeit.contracts.discovery import contract_default, load_stream_manager_class
from hopeit.contracts.settings import Compression, Serialization, StreamsConfig
from hopeit.dataobjects import EventPayload

__all__ = [
    "SAFE_SERIALIZATIONS",
    "MessageRefusedError",
    "NoStreamManager",
    "StreamBusyError",
    "StreamConfigError",
    "StreamEvent",
    "StreamGroupStats",
    "StreamItem",
    "StreamManager",
    "StreamOSError",
    "StreamWrite",
    "StreamsConfig",
    "stream_auth_info",
]

#: How long (ms) the default ``read_streams`` waits on the streams after one that gave messages.
_GLANCE_MS = 1

if TYPE_CHECKING:  # type checkers flag a stream manager that misses one of these methods...
    from abc import abstractmethod as _must_implement
else:  # ...while at run time a partial subclass can be instantiated, as in 0.24 (see the module docstring)
    _must_implement = contract_default


def _takes_config(cls: type) -> bool:
    """True when ``cls(...)`` accepts a ``config`` keyword (0.24 stream managers take ``address`` only)."""
    try:
        parameters = inspect.signature(cls).parameters.values()
    except (TypeError, ValueError):  # a signature Python cannot tell: assume the current contract
        return True
    return any(p.name == "config" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def _not_implemented(manager: object, method: str) -> NotImplementedError:
    return NotImplementedError(
        f"{type(manager).__qualname__}.{method}() is not implemented: a stream manager implements connect, close, "
        "publish (or write_stream), ensure_consumer_group, read_stream and ack_read_stream"
    )


class StreamManager:
    """Base class of stream backends.

    Subclasses are created with ``Class(address=connection_str, config=streams_config)``; the
    engine then awaits ``connect()`` and uses what it returns.
    """

    def __init__(self, *, address: str = "", config: Optional[StreamsConfig] = None) -> None:
        self.address = address
        self.config = config if config is not None else StreamsConfig(connection_str=address)
        self._allowed_serializations: Dict[Tuple[str, str], FrozenSet[Serialization]] = {}

    @staticmethod
    def create(config: StreamsConfig) -> "StreamManager":
        """Instantiate the stream manager named in ``config`` (entry-point name or dotted class path).

        As ``Class(address=connection_str, config=config)``; a class written for 0.24, whose
        constructor takes ``address`` alone, as ``Class(address=connection_str)``, and it gets
        ``config`` as an attribute afterwards.
        """
        cls = load_stream_manager_class(config.stream_manager)
        if _takes_config(cls):
            manager: StreamManager = cls(address=config.connection_str, config=config)
        else:
            manager = cls(address=config.connection_str)
        if getattr(manager, "config", None) is None:  # 0.24 managers did not call StreamManager.__init__
            manager.config = config
        return manager

    @_must_implement
    async def connect(self) -> "StreamManager":
        """Open connections; return the manager to use (usually ``self``)."""
        raise _not_implemented(self, "connect")

    @_must_implement
    async def close(self) -> None:
        """Release connections."""
        raise _not_implemented(self, "close")

    async def ping(self) -> None:
        """Return once the backend answers, or raise ``StreamOSError``: asked by ``/ready``, so within about 1 s.

        Optional: this default raises ``NotImplementedError``, and a manager without it (one written
        for 0.24) shows as "not checked" in readiness, neither passing nor failing it.

        .. versionadded:: 1.0
        """
        raise NotImplementedError(f"{type(self).__qualname__} does not implement ping()")

    async def group_stats(self, *, stream_name: str, consumer_group: str) -> Optional[StreamGroupStats]:
        """How far ``consumer_group`` is behind on ``stream_name``: asked when ``/metrics`` is scraped, not per message.

        Optional: this default answers None (not known), and the group's pending and lag are then
        left out of the metrics. Managers written for 0.24 keep working unchanged.

        .. versionadded:: 1.0
        """
        return None

    #: While the engine's circuit breaker holds calls to this backend after failures, it lets one
    #: call through as a probe every this many seconds (a backend may set its own, e.g. from its settings).
    probe_interval_seconds: float = 0.5

    @contract_default
    async def publish(self, write: StreamWrite, payloads: Sequence[EventPayload]) -> int:
        """Publish ``payloads`` to ``write.stream_name``, one message each; returns how many were written.

        Stream managers implement this (and send the messages in one round trip where they can).
        This default serves managers written for 0.24, which implement ``write_stream`` instead: it
        calls their ``write_stream_batch``, by default one ``write_stream`` per payload.

        :raises StreamOSError: when the backend cannot be reached.
        """
        if type(self).write_stream is StreamManager.write_stream:
            raise NotImplementedError(
                f"{type(self).__qualname__} cannot write: a stream manager implements publish() "
                "(or, as in hopeit.engine 0.24, write_stream())"
            )
        return await self.write_stream_batch(**write.keywords(), payloads=list(payloads))

    @contract_default
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
        """Publish one message; ``queue`` is stored in the message (``stream_name`` already carries it).

        The 0.24 signature, for callers: it builds the ``StreamWrite`` and calls ``publish``.
        """
        write = StreamWrite(stream_name, queue, track_ids, auth_info, compression, serialization, target_max_len)
        return await self.publish(write, (payload,))

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
        """Publish several messages; the keyword form of ``publish``."""
        write = StreamWrite(stream_name, queue, track_ids, auth_info, compression, serialization, target_max_len)
        if type(self).publish is StreamManager.publish:
            # a manager written for 0.24 (``write_stream`` only): one call per message
            keywords = write.keywords()
            written = 0
            for payload in payloads:
                written += await self.write_stream(**keywords, payload=payload)
            return written
        return await self.publish(write, payloads)

    @_must_implement
    async def ensure_consumer_group(self, *, stream_name: str, consumer_group: str) -> None:
        """Create ``consumer_group`` reading from the start of the stream (creating the stream); no-op if it exists."""
        raise _not_implemented(self, "ensure_consumer_group")

    @_must_implement
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
        """Read up to ``batch_size`` new messages for the group, waiting up to ``timeout`` ms.

        Messages that cannot be decoded come back as ``Exception`` items, and stay pending.
        """
        raise _not_implemented(self, "read_stream")

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
        """Read new messages of ``consumer_group`` from several streams in one call, each item with its stream.

        Up to ``batch_size`` messages per stream (as Redis ``XREADGROUP COUNT`` does), waiting up to
        ``timeout`` ms in all for any of the streams to get one; the items of each stream come in
        its order, the streams in the order named. Each item is ``(stream name, message)``: a
        message is acknowledged on the stream it came from. As with ``read_stream``, messages that
        cannot be decoded come back as ``Exception`` items and stay pending.

        The engine's read loop calls this for every STREAM event (one name per queue it reads).
        Implementing it is optional: this default reads each stream in turn with ``read_stream``,
        waiting the full ``timeout`` on a stream only while the streams
        before it gave nothing, and 1 ms on the rest once one did (the messages read do not wait
        for them). So with this default a message on the second stream of an idle event waits
        for the first stream's ``timeout``; backends that can wait on several streams at once
        override this to wake on any of them.

        .. versionadded:: 1.0
        """
        items: List[StreamItem] = []
        for stream_name in stream_names:
            read = await self.read_stream(
                stream_name=stream_name,
                consumer_group=consumer_group,
                datatypes=datatypes,
                track_headers=track_headers,
                offset=offset,
                batch_size=batch_size,
                timeout=_GLANCE_MS if items else timeout,
                batch_interval=batch_interval,
            )
            items.extend((stream_name, item) for item in read)
        return items

    @_must_implement
    async def ack_read_stream(self, *, stream_name: str, consumer_group: str, stream_event: StreamEvent) -> int:
        """Acknowledge a processed message; returns the number acknowledged."""
        raise _not_implemented(self, "ack_read_stream")

    async def ack_read_stream_batch(
        self, *, stream_name: str, consumer_group: str, stream_events: List[StreamEvent]
    ) -> int:
        """Acknowledge several processed messages of one stream; returns the number acknowledged.

        The read loops acknowledge a batch with one call; backends override this to do it in one
        round trip (this default acknowledges them one by one).
        """
        acked = 0
        for stream_event in stream_events:
            acked += await self.ack_read_stream(
                stream_name=stream_name, consumer_group=consumer_group, stream_event=stream_event
            )
        return acked

    def allow_serializations(
        self, *, stream_name: str, consumer_group: str, serializations: Iterable[Serialization]
    ) -> None:
        """Let reads of ``stream_name`` by ``consumer_group`` decode ``serializations`` too.

        JSON ones are always read (``SAFE_SERIALIZATIONS``); anything else a message names is refused
        before decoding (``MessageRefusedError``). The engine's read loops call this with what the
        reading event's config allows (``hopeit.streams.serialization.readable_serializations``).
        """
        allowed = getattr(self, "_allowed_serializations", None)
        if allowed is None:  # a subclass that did not call StreamManager.__init__
            allowed = self._allowed_serializations = {}
        key = (stream_name, consumer_group)
        allowed[key] = allowed.get(key, SAFE_SERIALIZATIONS) | frozenset(serializations)

    def allowed_serializations(self, stream_name: str, consumer_group: str) -> FrozenSet[Serialization]:
        """Serializations that reads of ``stream_name`` by ``consumer_group`` decode (see ``allow_serializations``)."""
        allowed: Dict[Tuple[str, str], FrozenSet[Serialization]] = getattr(self, "_allowed_serializations", None) or {}
        return allowed.get((stream_name, consumer_group), SAFE_SERIALIZATIONS)

    async def record_failures(
        self, *, stream_name: str, consumer_group: str, failures: Sequence[Tuple[StreamEvent, BaseException]]
    ) -> None:
        """Hear why messages read from ``stream_name`` were not processed (they stay pending).

        The engine's read loops call this after each batch with the messages whose event failed or
        timed out. Backends that dead-letter keep the last error of each message for its dead-letter
        entry; this default does nothing. It must not raise.
        """

    @staticmethod
    def as_data_event(payload: EventPayload) -> EventPayload:
        """Only ``@dataobject`` payloads can be published.

        :raises NotImplementedError: for anything else.
        """
        if not hasattr(payload, "__data_object__"):
            raise NotImplementedError(
                f"{type(payload).__qualname__} cannot be published to a stream: only @dataobject payloads can"
            )
        return payload

    def _consumer_id(self) -> str:
        """A consumer name unique to this process and manager instance."""
        now = datetime.now(tz=timezone.utc).isoformat()
        return f"{now}.{socket.gethostname()}.{os.getpid()}.{id(self)}"


class NoStreamManager(StreamManager):
    """Placeholder that refuses to start: streams are used but none is configured."""

    def __init__(self, *, address: str, config: Optional[StreamsConfig] = None) -> None:
        raise StreamConfigError(
            "No stream manager configured: set server config 'streams.stream_manager' "
            "('memory' for in-process streams, 'redis' with hopeit.redis-streams installed)"
        )

    async def connect(self) -> StreamManager:  # pragma: no cover - cannot be instantiated
        """Never reached: the constructor raises."""
        raise NotImplementedError

    async def close(self) -> None:  # pragma: no cover
        """Never reached: the constructor raises."""
        raise NotImplementedError

    async def publish(self, write: StreamWrite, payloads: Sequence[EventPayload]) -> int:  # pragma: no cover
        """Never reached: the constructor raises."""
        raise NotImplementedError

    async def ensure_consumer_group(self, *, stream_name: str, consumer_group: str) -> None:  # pragma: no cover
        """Never reached: the constructor raises."""
        raise NotImplementedError

    async def read_stream(  # pragma: no cover
        self, **kwargs: Any
    ) -> List[Union[StreamEvent, Exception]]:
        """Never reached: the constructor raises."""
        raise NotImplementedError

    async def ack_read_stream(  # pragma: no cover
        self, *, stream_name: str, consumer_group: str, stream_event: StreamEvent
    ) -> int:
        """Never reached: the constructor raises."""
        raise NotImplementedError
