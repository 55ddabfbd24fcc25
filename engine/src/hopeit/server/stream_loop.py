"""The read loop of a STREAM event: read a batch of every queue, process it concurrently, ack what succeeded.

The loop is an adapter around the engine's one way of running events: it uses only the members of
``StreamEngine`` (``AppEngine`` has them), never the engine's internals.
"""

from __future__ import annotations

import asyncio
import importlib
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Dict, List, Optional, Protocol, Tuple, TypeVar, Union

from hopeit.app.config import AppConfig, EventDescriptor, EventSettings, StreamQueue
from hopeit.app.context import EventContext
from hopeit.app.names import base_event_name
from hopeit.contracts import codecs
from hopeit.dataobjects import DataObject
from hopeit.server import prometheus
from hopeit.server._stream_batch import BatchProcessing
from hopeit.server.metrics import StreamStats
from hopeit.server.stream_retries import RetryPolicy
from hopeit.streams import StreamEvent, StreamManager, StreamOSError
from hopeit.streams.messages import payload_type_name
from hopeit.streams.serialization import readable_serializations

if TYPE_CHECKING:  # pragma: no cover
    from hopeit.server.config import StreamsConfig
    from hopeit.server.events import LoadedEvent
    from hopeit.server.logger import EngineLoggerWrapper

__all__ = ["StreamEngine", "StreamReadLoop", "stored_datatypes", "stream_datatypes"]

_T = TypeVar("_T")


class StreamEngine(Protocol):
    """What a read loop uses of the engine running its event (``hopeit.server.app_engine.AppEngine``)."""

    app_config: AppConfig
    effective_events: Dict[str, EventDescriptor]
    logger: EngineLoggerWrapper
    stream_manager: Optional[StreamManager]

    @property
    def streams_config(self) -> StreamsConfig:
        """The server's streams settings."""

    def event_settings(self, event_name: str) -> EventSettings:
        """Settings of an event."""

    def is_running(self, event_name: str) -> bool:
        """True until the loop of ``event_name`` is asked to stop."""

    def loaded_event(self, event_name: str) -> LoadedEvent:
        """The event's module and steps."""

    def context_factory(self, event_name: str) -> Callable[[Dict[str, str], Dict[str, Any]], EventContext]:
        """A maker of the event's contexts from ``(track_ids, auth_info)``."""

    def start_event(
        self,
        context: EventContext,
        payload: Any,
        query_args: Optional[Dict[str, Any]] = None,
        *,
        queue: str = StreamQueue.AUTO,
        owned: bool = False,
    ) -> Any:
        """Begin running the event: its last result, or a coroutine for ``finish_event``."""

    async def finish_event(self, outcome: Awaitable[_T], context: EventContext, *, stream: bool = False) -> _T:
        """Await what ``start_event`` handed back within the event's time limit."""


def _import_type(dotted: str) -> type:
    module_name, _, name = dotted.rpartition(".")
    try:
        found: type = getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ImportError(f"dataobjects entry '{dotted}' cannot be imported: {exc}") from None
    return found


def stream_datatypes(engine: StreamEngine, event_name: str) -> Dict[str, type]:
    """Payload types a STREAM event accepts, by their wire name (``<module>.<qualname>``)."""
    result: Dict[str, type] = {}
    for _, info in engine.loaded_event(event_name).chain.steps:
        if info.input_type is DataObject:
            descriptor = engine.app_config.events[base_event_name(event_name)]
            for dotted in descriptor.dataobjects:
                datatype = _import_type(dotted)
                result[payload_type_name(datatype)] = datatype
        elif hasattr(info.input_type, "__stream_event__"):
            result[payload_type_name(info.input_type)] = info.input_type
    if not result:
        raise NotImplementedError(
            f"event {event_name}: no step takes a @dataobject, so nothing can be read from a stream "
            "(for steps taking DataObject, list the types in the event's 'dataobjects')"
        )
    return result


def stored_datatypes(
    datatypes: Dict[str, type],
) -> Tuple[Dict[str, type], Dict[type, Tuple[codecs.PayloadCodec, type]]]:
    """``datatypes`` plus the stored forms of those a payload codec handles, and how to decode each form.

    A message carrying a stored form is named by the stored type (``hopeit.contracts.codecs``).
    """
    stored: Dict[type, Tuple[codecs.PayloadCodec, type]] = {}
    if not codecs.REGISTERED:
        return datatypes, stored
    result = dict(datatypes)
    for datatype in datatypes.values():
        found = codecs.codec_for(datatype)
        if found is not None:
            codec, stored_type = found
            result[payload_type_name(stored_type)] = stored_type
            stored[stored_type] = (codec, datatype)
    return result, stored


async def _decoded(
    item: Union[StreamEvent, Exception], stored: Dict[type, Tuple[codecs.PayloadCodec, type]]
) -> Union[StreamEvent, Exception]:
    """The message with its stored-form payload decoded, or the error saying why it cannot be (left pending)."""
    if isinstance(item, Exception) or type(item.payload) not in stored:
        return item
    try:
        item.payload = await codecs.decode_stored(item.payload, stored)
    except Exception as exc:  # noqa: BLE001 - reported like a message that cannot be parsed
        msg_id = item.msg_internal_id.decode(errors="replace")
        return ValueError(f"Cannot decode stream message {msg_id} ({type(exc).__name__}): {exc}")
    return item


class StreamReadLoop(BatchProcessing):
    """One running read loop of a STREAM event of an ``AppEngine``.

    It reads batches; processing each is ``BatchProcessing._process_batch`` (``hopeit.server._stream_batch``).
    """

    def __init__(self, engine: StreamEngine, event_name: str) -> None:
        self.engine = engine
        self.event_name = event_name
        self.event_info = engine.effective_events[event_name]
        if self.event_info.read_stream is None:
            raise ValueError(f"event {event_name} has no read_stream configured")
        self.read_stream = self.event_info.read_stream
        self.settings: EventSettings = engine.event_settings(event_name)
        self._new_context = engine.context_factory(event_name)
        self.stats = StreamStats()
        self._retry = RetryPolicy.of(self.settings.stream)
        # the event's own logger, as in 0.24: its lifecycle lines name the app and the event
        self.logger = engine.loaded_event(event_name).logger or engine.logger
        self._log_info = True

    def _stream_names(self) -> List[Tuple[str, str]]:
        return [
            (queue, self.read_stream.name if queue == StreamQueue.AUTO else f"{self.read_stream.name}.{queue}")
            for queue in self.read_stream.queues
        ]

    async def _ensure_groups(self, names: List[Tuple[str, str]]) -> None:
        manager = self.engine.stream_manager
        assert manager is not None
        backoff = self.engine.streams_config.initial_backoff_seconds
        for _, stream_name in names:
            while self.engine.is_running(self.event_name):
                try:
                    await manager.ensure_consumer_group(
                        stream_name=stream_name, consumer_group=self.read_stream.consumer_group
                    )
                    break
                except StreamOSError as exc:
                    self.logger.error(self.event_name, f"Cannot create consumer group on {stream_name}: {exc}")
                    await asyncio.sleep(backoff)

    async def run(self, *, max_events: Optional[int], stop_when_empty: bool) -> Any:
        """Read and process until stopped, ``max_events`` processed, or (``stop_when_empty``) nothing left."""
        manager = self.engine.stream_manager
        if manager is None:
            raise RuntimeError(f"event {self.event_name} reads a stream but streams are not enabled")
        names = self._stream_names()
        await self._ensure_groups(names)
        # messages name their serialization; the event's config says which ones it trusts (architecture.md §7)
        allowed = readable_serializations(self.settings.stream.serialization)
        for _, stream_name in names:
            manager.allow_serializations(
                stream_name=stream_name, consumer_group=self.read_stream.consumer_group, serializations=allowed
            )
        datatypes, stored = stored_datatypes(stream_datatypes(self.engine, self.event_name))
        engine_config = self.engine.app_config.engine
        self.logger.info(
            self.event_name, f"Consuming stream {self.read_stream.name} group={self.read_stream.consumer_group}"
        )
        stream_names = [stream_name for _, stream_name in names]
        if prometheus.METRICS is not None:  # counted by _process_batch once a batch
            self.metrics = prometheus.METRICS.stream_loop(self.engine.app_config.app_key(), self.event_name,
                                                          manager, stream_names, self.read_stream.consumer_group)
        last, count = None, 0
        while self.engine.is_running(self.event_name):
            # every queue in one call, one wait: a message on any queue ends it (managers that
            # cannot wait on several streams read them in turn: StreamManager.read_streams)
            batch = await manager.read_streams(
                stream_names=stream_names,
                consumer_group=self.read_stream.consumer_group,
                datatypes=datatypes,
                track_headers=engine_config.track_headers,
                offset=">",
                batch_size=self.settings.stream.batch_size,
                timeout=engine_config.read_stream_timeout,
                batch_interval=engine_config.read_stream_interval,
            )
            if not batch:
                if stop_when_empty:
                    break
                continue
            if stored:  # payloads that travelled in a codec's stored form: decoded before the steps
                batch = [(name, await _decoded(item, stored)) for name, item in batch]
            self.stats.ensure_start()
            for ok, result in await self._process_batch(batch):
                if ok:
                    last = result
            count += len(batch)
            self.logger.stats(self.event_name, extra={f"metrics.stream.{k}": v for k, v in self.stats.calc().items()})
            if max_events is not None and count >= max_events:
                break
        return last
