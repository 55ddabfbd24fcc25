"""``AppEngine`` runs the events of one app: requests, stream read loops and service loops.

Imported from ``hopeit.server.engine``, where 0.24 had it beside ``Server``.
"""

import asyncio
from collections.abc import Coroutine
from functools import partial
from types import CoroutineType
from typing import Any, Awaitable, Callable, Dict, List, Optional, TypeVar

from hopeit.app.client import register_app_connections, stop_app_connections
from hopeit.app.config import (
    AppConfig,
    EventDescriptor,
    EventSettings,
    EventType,
    StreamQueue,
    StreamQueueStrategy,
)
from hopeit.app.context import EventContext, _context_shape
from hopeit.app.errors import BadRequest, Unauthorized
from hopeit.app.running import is_running, set_running
from hopeit.contracts import codecs
from hopeit.contracts.codecs import StoredPayload
from hopeit.contracts.settings import StreamsConfig
from hopeit.server.events import (
    EventHandler,
    LoadedEvent,
    base_event_name,
    get_runtime_settings,
    resolve_effective_events,
)
from hopeit.server.logger import EngineLoggerWrapper, init_app
from hopeit.server.metrics import metrics
from hopeit.server.steps import _NO_ARGS, _NOT_COROUTINES, StepsChain, is_coroutine
from hopeit.server.timeouts import loop_start_delay, run_within, with_timeout
from hopeit.server.tracking import new_track_ids, next_operation, otel_enabled
from hopeit.streams import StreamManager
from hopeit.streams.circuit_breaker import StreamCircuitBreaker

__all__ = ["AppEngine"]

_T = TypeVar("_T")

#: What a failing event may raise and the loops must survive (BadRequest/Unauthorized are BaseException).
_EVENT_ERRORS = (Exception, BadRequest, Unauthorized)


async def _decode_request(payload: StoredPayload) -> Any:
    """A request payload parsed by a codec, decoded: what cannot be decoded is the client's error."""
    try:
        return await payload.decode()
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


class AppEngine:
    """Runs the events of an app (or plugin) config."""

    def __init__(
        self,
        *,
        app_config: AppConfig,
        plugins: List[AppConfig],
        enabled_groups: Optional[List[str]] = None,
        streams_enabled: bool = True,
        streams_wait_on_stop: bool = True,
    ) -> None:
        self.app_config = app_config
        self.app_key = app_config.app_key()
        self.plugins = plugins
        self.enabled_groups = list(enabled_groups or [])
        self.streams_enabled = streams_enabled
        self.streams_wait_on_stop = streams_wait_on_stop
        self.effective_events: Dict[str, EventDescriptor] = resolve_effective_events(app_config, self.enabled_groups)
        self.settings: Dict[str, EventSettings] = get_runtime_settings(app_config, plugins)
        self.event_handler: Optional[EventHandler] = None
        self.stream_manager: Optional[StreamManager] = None
        self.logger: EngineLoggerWrapper = init_app(app_config, plugins)
        self._tasks: Dict[str, asyncio.Task[Any]] = {}
        #: chains of the events that start straight in their steps (loaded and initialized, not
        #: throttled, publishing nothing), added as each gets ready: see ``start_event``
        self._ready_chains: Dict[str, StepsChain] = {}

    @property
    def streams_config(self) -> StreamsConfig:
        """Streams section of the server config (defaults when there is no server config)."""
        return self.app_config.server.streams if self.app_config.server is not None else StreamsConfig()

    def event_settings(self, event_name: str) -> EventSettings:
        """Settings of an event (SHUFFLE stages share their event's settings)."""
        found = self.settings.get(event_name)
        if found is None:
            # one object per event: contexts cache what they share by settings identity
            found = self.settings[event_name] = self.settings.get(base_event_name(event_name)) or EventSettings()
        return found

    def event_logger(self, event_name: str) -> EngineLoggerWrapper:
        """The logger of an event: ``<app> <version> <event> <host> <pid>``, as its module's ``logger``.

        Its START, DONE, FAILED and IGNORED lines go there, in the event's own log file, as in 0.24.
        """
        logger = self._handler().event(event_name).logger
        return self.logger if logger is None else logger

    def _needs_streams(self) -> bool:
        return any(
            info.type == EventType.STREAM or info.write_stream is not None for info in self.effective_events.values()
        )

    async def start(self) -> "AppEngine":
        """Load event modules, connect the stream manager if any event uses streams, start app clients."""
        self.logger.info(self.app_key, "Starting app...")
        self.event_handler = EventHandler(
            app_config=self.app_config,
            plugins=self.plugins,
            effective_events=self.effective_events,
            settings=self.settings,
        )
        if self.streams_enabled and self._needs_streams():
            config = self.streams_config
            manager = await StreamManager.create(config).connect()
            self.stream_manager = StreamCircuitBreaker.from_config(manager, config)
        self._ready_chains.clear()  # which events publish depends on the stream manager
        if otel_enabled():
            from hopeit.server.otel import instrument  # imports OpenTelemetry: only when spans are asked for

            instrument(self)
        await register_app_connections(self.app_config)
        return self

    async def stop(self) -> None:
        """Stop read and service loops (letting them finish their batch), close streams and clients."""
        self.logger.info(self.app_key, "Stopping app...")
        for event_name in list(self._tasks):
            set_running(self.app_key, event_name, False)
        pending = [t for t in self._tasks.values() if not t.done() and t is not asyncio.current_task()]
        if pending and self.streams_wait_on_stop:
            grace = (self.app_config.engine.read_stream_timeout + 5000) / 1000.0
            _, still_running = await asyncio.wait(pending, timeout=grace)
            for task in still_running:
                task.cancel()
        if self.stream_manager is not None:
            await self.stream_manager.close()
            self.stream_manager = None
        self._ready_chains.clear()
        await stop_app_connections(self.app_key)
        self.logger.info(self.app_key, "Stopped app.")

    def _handler(self) -> EventHandler:
        if self.event_handler is None:
            raise RuntimeError(f"app engine {self.app_key} is not started: await engine.start() first")
        return self.event_handler

    def loaded_event(self, event_name: str) -> LoadedEvent:
        """The loaded module, steps and hooks of an event (KeyError naming the app for an unknown one)."""
        return self._handler().event(event_name)

    def context_factory(self, event_name: str) -> Callable[[Dict[str, str], Dict[str, Any]], EventContext]:
        """A maker of contexts of ``event_name`` from ``(track_ids, auth_info)``, for loops making one per item.

        What the contexts share is looked up once, here; ``create_context`` looks it up on each call.
        """
        shape = _context_shape(self.app_config, self.app_config, event_name, self.event_settings(event_name))
        return partial(EventContext._of_shape, shape, event_name)

    def start_event(
        self,
        context: EventContext,
        payload: Any,
        query_args: Optional[Dict[str, Any]] = None,
        queue: str = StreamQueue.AUTO,
        owned: bool = False,
    ) -> Any:
        """Begin running an event: how every event type runs (requests, SETUP, SERVICE items, messages).

        Returns the last result when the steps finished without waiting (plain functions: nothing
        could interrupt them, so they need no timer), else a coroutine that finishes the steps and
        publishes the results to the event's ``write_stream``: await it with ``finish_event``, under
        the event's time limit. ``queue`` is the queue a message was read from (results are
        published on it, see spec §10.4). ``owned=True`` when nothing else holds ``payload`` (just
        parsed from a request or a message): the first step then gets it without a copy.
        """
        chain = self._ready_chains.get(context.event_name)
        if chain is not None:  # the usual case, looked up once: what EventHandler.start does for it
            return chain.call(payload, context, query_args or _NO_ARGS, owned)
        handler = self._handler()
        event_info = self.effective_events.get(context.event_name)
        if event_info is not None and event_info.write_stream is not None and self.stream_manager is not None:
            return self._run_and_publish(handler, context, event_info, query_args, payload, queue, owned)
        loaded = handler.event(context.event_name)
        if loaded.ready:
            self._ready_chains[context.event_name] = loaded.chain
        return handler.start(context=context, query_args=query_args, payload=payload, owned=owned)

    async def finish_event(self, outcome: Awaitable[_T], context: EventContext, *, stream: bool = False) -> _T:
        """Await what ``start_event`` handed back within the event's time limit.

        The limit is ``stream.timeout`` for a message read from a stream (``stream=True``), else
        ``response_timeout``.

        :raises TimeoutError: ``Stream processing timeout exceeded seconds=<n>`` or ``Response
            timeout exceeded seconds=<n>``.
        """
        if stream:
            seconds, label = context.settings.stream.timeout, "Stream processing timeout exceeded"
        else:
            seconds, label = context.settings.response_timeout, "Response timeout exceeded"
        # a coroutine runs here, in this task, and pays for a timer only if it suspends
        if type(outcome) is CoroutineType or isinstance(outcome, Coroutine):
            return await run_within(outcome, seconds, label)
        return await with_timeout(outcome, seconds, label)

    async def execute(
        self, *, context: EventContext, query_args: Optional[Dict[str, Any]], payload: Any, owned: bool = False
    ) -> Any:
        """Run an event (GET, POST, MULTIPART, SETUP, SERVICE item) within its ``response_timeout``.

        ``owned``: see ``start_event``. A request body a payload codec parsed (``StoredPayload``) is
        decoded first (a ``ValueError`` decoding it is the client's: ``BadRequest``).
        """
        if type(payload) is StoredPayload:
            payload = await _decode_request(payload)
        outcome = self.start_event(context, payload, query_args, StreamQueue.AUTO, owned)
        if type(outcome) in _NOT_COROUTINES or not is_coroutine(outcome):  # the set spares the slower check
            return outcome
        return await self.finish_event(outcome, context)

    async def _run_and_publish(
        self,
        handler: EventHandler,
        context: EventContext,
        event_info: EventDescriptor,
        query_args: Optional[Dict[str, Any]],
        payload: Any,
        queue: str,
        owned: bool,
    ) -> Any:
        """Run the steps and publish every result that is not None (spec §7, §10.4)."""
        if not handler.event(context.event_name).chain.spawns:
            result = handler.start(context=context, query_args=query_args, payload=payload, owned=owned)
            if is_coroutine(result):
                result = await result
            if result is not None:
                await self._write_stream(context, event_info, [result], queue)
            return result
        batch_size = max(1, context.settings.stream.batch_size)
        batch: List[Any] = []
        last = None
        results = handler.handle_async_event(context=context, query_args=query_args, payload=payload, owned=owned)
        async for result in results:
            last = result
            if result is not None:
                batch.append(result)
                if len(batch) >= batch_size:
                    await self._write_stream(context, event_info, batch, queue)
                    batch = []
        if batch:
            await self._write_stream(context, event_info, batch, queue)
        return last

    async def _write_stream(
        self, context: EventContext, event_info: EventDescriptor, payloads: List[Any], upstream_queue: str
    ) -> None:
        write = event_info.write_stream
        assert write is not None and self.stream_manager is not None
        if codecs.REGISTERED:  # payloads a plugin codec handles travel in their stored form
            payloads = await codecs.encode_payloads(payloads)
        for payload in payloads:
            StreamManager.as_data_event(payload)
        stream = context.settings.stream
        propagate = write.queue_strategy == StreamQueueStrategy.PROPAGATE
        for configured in write.queues:
            name = write.name
            if propagate and upstream_queue != StreamQueue.AUTO and configured == StreamQueue.AUTO:
                name = f"{name}.{upstream_queue}"
            elif configured != StreamQueue.AUTO:
                name = f"{name}.{configured}"
            with context.outgoing_trace("PRODUCER", name) as trace_headers:  # messages carry the trace on
                await self.stream_manager.write_stream_batch(
                    stream_name=name,
                    queue=upstream_queue if propagate else configured,
                    payloads=payloads,
                    track_ids={**context.track_ids, **trace_headers},
                    auth_info=context.auth_info,
                    compression=stream.compression,  # type: ignore[arg-type]
                    serialization=stream.serialization,  # type: ignore[arg-type]
                    target_max_len=stream.target_max_len,
                )

    async def preprocess(
        self, *, context: EventContext, query_args: Optional[Dict[str, Any]], payload: Any, request: Any
    ) -> Any:
        """Run the event's ``__preprocess__`` (with the body decoded, as ``execute`` does)."""
        if type(payload) is StoredPayload:
            payload = await _decode_request(payload)
        return await self._handler().preprocess(
            context=context, query_args=query_args, payload=payload, request=request
        )

    async def postprocess(self, *, context: EventContext, payload: Any, response: Any) -> Any:
        """Run the event's ``__postprocess__``."""
        return await self._handler().postprocess(context=context, payload=payload, response=response)

    def is_running(self, event_name: str) -> bool:
        """True while a read or service loop of ``event_name`` runs."""
        return is_running(self.app_key, event_name)

    async def stop_event(self, event_name: str) -> None:
        """Ask a read or service loop to stop after its current batch or item."""
        if not self.is_running(event_name):
            raise RuntimeError(f"Cannot stop non running event: {event_name}.")
        set_running(self.app_key, event_name, False)

    def _mark_running(self, event_name: str, kind: str) -> None:
        if self.is_running(event_name):
            raise RuntimeError(f"{kind} already running: {event_name}")
        set_running(self.app_key, event_name, True)
        task = asyncio.current_task()
        if task is not None:
            self._tasks[event_name] = task

    def create_context(
        self,
        event_name: str,
        track_ids: Dict[str, str],
        auth_info: Dict[str, Any],
        app_config: Optional[AppConfig] = None,
    ) -> EventContext:
        """Context of an event run by this engine (``app_config`` is the host app for plugin events)."""
        return EventContext(
            app_config=app_config or self.app_config,
            plugin_config=self.app_config,
            event_name=event_name,
            settings=self.event_settings(event_name),
            track_ids=track_ids,
            auth_info=auth_info,
        )

    async def read_stream(
        self,
        *,
        event_name: str,
        max_events: Optional[int] = None,
        stop_when_empty: bool = False,
        wait_start: bool = True,
        test_mode: bool = False,
    ) -> Any:
        """Consume the event's ``read_stream`` until stopped; returns the last result."""
        if wait_start:
            await asyncio.sleep(loop_start_delay(self.streams_config.delay_auto_start_seconds))
        self._mark_running(event_name, "Stream")
        try:
            from hopeit.server.stream_loop import StreamReadLoop  # only servers with STREAM events load it

            loop = StreamReadLoop(self, event_name)
            return await loop.run(max_events=max_events, stop_when_empty=stop_when_empty)
        finally:
            set_running(self.app_key, event_name, False)
            self._tasks.pop(event_name, None)

    async def service_loop(
        self,
        *,
        event_name: str,
        max_events: Optional[int] = None,
        wait_start: bool = True,
        test_mode: bool = False,
    ) -> Any:
        """Run the event's ``__service__`` generator, executing every item it yields; returns the last result."""
        if wait_start:
            await asyncio.sleep(loop_start_delay(self.streams_config.delay_auto_start_seconds))
        self._mark_running(event_name, "Service")
        last, count = None, 0
        try:
            module = self._handler().event(event_name).module
            logger = self.event_logger(event_name)
            track_ids = new_track_ids()
            context = self.create_context(event_name, track_ids, {})
            logger.info(context, "Service started.")
            async for payload in module.__service__(context):
                item_context = self.create_context(event_name, next_operation(track_ids), {})
                logger.start(item_context)
                try:
                    last = await self.execute(context=item_context, query_args=None, payload=payload)
                    logger.done(item_context, extra=metrics(item_context))
                except _EVENT_ERRORS as exc:
                    logger.error(item_context, exc)
                    logger.failed(item_context, extra=metrics(item_context))
                count += 1
                if max_events is not None and count >= max_events:
                    break
            logger.info(context, "Service stopped.")
            return last
        finally:
            set_running(self.app_key, event_name, False)
            self._tasks.pop(event_name, None)
