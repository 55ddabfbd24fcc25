"""The read loop of a STREAM event: read a batch per queue, process it concurrently, ack what succeeded.

The loop is an adapter around the engine's one way of running events: it uses only the members of
``StreamEngine`` (``AppEngine`` has them), never the engine's internals.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Dict, List, Optional, Protocol, Tuple, TypeVar, Union

from hopeit.app.config import AppConfig, EventDescriptor, EventSettings, StreamQueue
from hopeit.app.context import EventContext
from hopeit.app.errors import BadRequest, Unauthorized
from hopeit.app.names import base_event_name
from hopeit.dataobjects import DataObject
from hopeit.server.metrics import StreamStats, duration_ms, metrics, stream_metrics
from hopeit.server.steps import is_coroutine
from hopeit.streams import StreamEvent, StreamManager, StreamOSError, stream_auth_info
from hopeit.streams.messages import payload_type_name
from hopeit.streams.serialization import readable_serializations

if TYPE_CHECKING:  # pragma: no cover
    from hopeit.server.config import StreamsConfig
    from hopeit.server.events import LoadedEvent
    from hopeit.server.logger import EngineLoggerWrapper

__all__ = ["StreamEngine", "StreamReadLoop", "stream_datatypes"]

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


#: How long (ms) the other queues of a read round are waited for once one of them gave messages.
_GLANCE_MS = 1

#: The outcome of running the steps for one message of a batch: ``(stream name, item, context, ok,
#: result or, when not ok, the error)``; a plain tuple, as one is made for every message.
_Run = Tuple[str, Union[StreamEvent, Exception], Optional[EventContext], bool, Any]

#: What the steps of a message may raise: it fails that message (BadRequest/Unauthorized are BaseException).
_STEP_ERRORS = (Exception, asyncio.CancelledError, BadRequest, Unauthorized)


class StreamReadLoop:
    """One running read loop of a STREAM event of an ``AppEngine``."""

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
        self.logger = engine.logger
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
        datatypes = stream_datatypes(self.engine, self.event_name)
        engine_config = self.engine.app_config.engine
        self.logger.info(
            self.event_name, f"Consuming stream {self.read_stream.name} group={self.read_stream.consumer_group}"
        )
        last, count = None, 0
        while self.engine.is_running(self.event_name):
            batch: List[Tuple[str, Union[StreamEvent, Exception]]] = []
            for _, stream_name in names:
                items = await manager.read_stream(
                    stream_name=stream_name,
                    consumer_group=self.read_stream.consumer_group,
                    datatypes=datatypes,
                    track_headers=engine_config.track_headers,
                    offset=">",
                    batch_size=self.settings.stream.batch_size,
                    # once a queue gave messages, the others are only looked at: waiting the full
                    # timeout on each would hold the messages read (up to a timeout per queue)
                    timeout=_GLANCE_MS if batch else engine_config.read_stream_timeout,
                    batch_interval=engine_config.read_stream_interval,
                )
                batch.extend((stream_name, item) for item in items)
            if not batch:
                if stop_when_empty:
                    break
                continue
            self.stats.ensure_start()
            for ok, result in await self._process_batch(batch):
                if ok:
                    last = result
            count += len(batch)
            self.logger.stats(self.event_name, extra={f"metrics.stream.{k}": v for k, v in self.stats.calc().items()})
            if max_events is not None and count >= max_events:
                break
        return last

    async def _process_batch(self, batch: List[Tuple[str, Union[StreamEvent, Exception]]]) -> List[Tuple[bool, Any]]:
        """Run the steps for every message of a batch, then acknowledge those that succeeded.

        Each message starts in turn (``_start``): steps that never wait finish there, with no task
        and no timer. The messages whose steps wait then go on concurrently, each within
        ``stream.timeout``.
        """
        self._log_info = self.logger.isEnabledFor(logging.INFO)  # once a batch: the level rarely changes
        runs: List[_Run] = []
        try:
            for stream_name, item in batch:
                runs.append(self._start(stream_name, item))
        except asyncio.CancelledError:
            self._cancel_unstarted(runs)
            raise
        waiting = [i for i, (_, _, _, ok, outcome) in enumerate(runs) if ok and is_coroutine(outcome)]
        if len(waiting) == 1:
            runs[waiting[0]] = await self._finish(runs[waiting[0]])
        elif waiting:
            try:
                finished = await asyncio.gather(*(self._finish(runs[i]) for i in waiting))
            except asyncio.CancelledError:
                self._cancel_unstarted([runs[i] for i in waiting])
                raise
            for i, run in zip(waiting, finished):
                runs[i] = run
        acked = await self._ack(runs)
        await self._record_failures(runs)
        return [self._count(run, ok) for run, ok in zip(runs, acked)]

    def _start(self, stream_name: str, item: Union[StreamEvent, Exception]) -> _Run:
        """Begin the steps for one message: a finished run, or one holding the coroutine to finish."""
        if isinstance(item, Exception):
            self.logger.error(self.event_name, item)
            self.stats.inc(error=True)
            return stream_name, item, None, False, None
        context = self._new_context(item.track_ids, stream_auth_info(item))
        if self._log_info:
            self.logger.start(context, extra={"stream.queue": item.queue})
        try:
            outcome = self.engine.start_event(context, item.payload, queue=item.queue, owned=True)
        except _STEP_ERRORS as exc:
            self._failed(context, item, exc)
            if isinstance(exc, asyncio.CancelledError):
                raise
            return stream_name, item, context, False, exc
        return stream_name, item, context, True, outcome

    async def _finish(self, run: _Run) -> _Run:
        """Await the steps of a message that waited, within ``stream.timeout``."""
        stream_name, item, context, _, outcome = run
        assert context is not None and isinstance(item, StreamEvent)
        try:
            return stream_name, item, context, True, await self.engine.finish_event(outcome, context, stream=True)
        except _STEP_ERRORS as exc:
            self._failed(context, item, exc)
            if isinstance(exc, asyncio.CancelledError):
                raise
            return stream_name, item, context, False, exc

    def _cancel_unstarted(self, runs: List[_Run]) -> None:
        """Fail the messages whose steps a cancellation stopped before ``_finish`` could await them."""
        for _, item, context, ok, outcome in runs:
            if ok and _close_unstarted(outcome):
                self._failed(context, item, asyncio.CancelledError())  # type: ignore[arg-type]

    async def _ack(self, runs: List[_Run]) -> List[bool]:
        """Acknowledge the messages whose steps succeeded, one call per stream; True for each acked run."""
        manager = self.engine.stream_manager
        assert manager is not None
        by_stream: Dict[str, List[StreamEvent]] = {}
        for stream_name, item, _, ok, _ in runs:
            if ok:
                by_stream.setdefault(stream_name, []).append(item)  # type: ignore[arg-type]
        failed: Dict[str, BaseException] = {}
        for stream_name, events in by_stream.items():
            try:
                await manager.ack_read_stream_batch(
                    stream_name=stream_name, consumer_group=self.read_stream.consumer_group, stream_events=events
                )
            except (Exception, asyncio.CancelledError) as exc:  # noqa: BLE001 - each message is failed below
                failed[stream_name] = exc
        acked = []
        for stream_name, item, context, ok, _ in runs:
            error = failed.get(stream_name) if ok else None
            if error is not None:
                self._failed(context, item, error)  # type: ignore[arg-type]
            acked.append(ok and error is None)
        for error in failed.values():
            if isinstance(error, asyncio.CancelledError):
                raise error
        return acked

    async def _record_failures(self, runs: List[_Run]) -> None:
        """Tell the stream manager why messages failed, for their dead-letter entries should they end there."""
        manager = self.engine.stream_manager
        assert manager is not None
        by_stream: Dict[str, List[Tuple[StreamEvent, BaseException]]] = {}
        for stream_name, item, _, ok, error in runs:
            if not ok and isinstance(item, StreamEvent) and isinstance(error, BaseException):
                by_stream.setdefault(stream_name, []).append((item, error))
        for stream_name, failures in by_stream.items():
            try:
                await manager.record_failures(
                    stream_name=stream_name, consumer_group=self.read_stream.consumer_group, failures=failures
                )
            except Exception as exc:  # noqa: BLE001 - only the dead-letter detail is lost; the messages stay pending
                self.logger.warning(self.event_name, f"Cannot record failures of {stream_name}: {exc}")

    def _count(self, run: _Run, acked: bool) -> Tuple[bool, Any]:
        """Count and log DONE a message acknowledged; ``(ok, result)``."""
        _, item, context, _, result = run
        if not acked or context is None or isinstance(item, Exception):
            return False, None
        if self._log_info:
            done = metrics(context)
            self.stats.inc(duration_ms=done["metrics.duration"])
            self.logger.done(context, extra={"stream.queue": item.queue, **done, **stream_metrics(context)})
        else:
            self.stats.inc(duration_ms=duration_ms(context))
        return True, result

    def _failed(self, context: EventContext, item: StreamEvent, exc: BaseException) -> None:
        # not acked: the message stays pending for its group
        self.stats.inc(error=True)
        self.logger.error(context, exc)
        self.logger.failed(context, extra={"stream.queue": item.queue, **metrics(context)})


def _close_unstarted(outcome: Any) -> bool:
    """Close a coroutine that never ran, and the never-run coroutines it holds; True when ``outcome`` was one.

    A coroutine a step handed back waits, as an argument, to be awaited by the coroutine that goes
    on with the chain: closed unawaited, each would make Python warn that it was never awaited.
    """
    if not inspect.iscoroutine(outcome) or inspect.getcoroutinestate(outcome) != inspect.CORO_CREATED:
        return False
    held = list(outcome.cr_frame.f_locals.values()) if outcome.cr_frame is not None else []
    outcome.close()
    for value in held:
        _close_unstarted(value)
    return True
