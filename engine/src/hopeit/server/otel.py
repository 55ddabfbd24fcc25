"""OpenTelemetry spans of events, steps, stream writes and app-to-app calls (the ``otel`` extra).

Imported only when tracing is enabled (``HOPEIT_OTEL=1``, see ``hopeit.server.tracking.otel_enabled``):
without it nothing of OpenTelemetry is imported. Spans go to the global tracer provider of
``opentelemetry.trace``: configuring one (an SDK ``TracerProvider`` with its exporters) is the
app's or the operator's job, e.g. through ``opentelemetry-instrument`` or a SETUP event.

What becomes a span:

* each event execution: kind ``SERVER`` for web events, ``CONSUMER`` for a message read from a
  stream, ``INTERNAL`` for SETUP and SERVICE events; its parent is the incoming W3C trace context
  (``traceparent`` header or message field), if any;
* each step of the event: a child of the event's span (collector steps: the collector as a whole
  runs within the event span, with no span of its own);
* each write to a stream: a ``PRODUCER`` span, whose id the messages carry as their parent;
* each apps-client call: a ``CLIENT`` span, whose id the called app receives as its parent.

Every span has the track ids of its event as attributes (``track.request_id``, ...) and
``hopeit.app`` / ``hopeit.event``. Spans are parented explicitly through the event context, not
through OpenTelemetry's current-span context variable, because an event's steps may continue in
another task than the one that started them (stream batches).
"""

from dataclasses import replace
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable, Dict, Optional

from hopeit.app import trace_context
from hopeit.app.config import EventType, StreamQueue
from hopeit.app.context import EventContext
from hopeit.app.names import base_event_name
from hopeit.app.trace_context import OutgoingTrace, SpanHooks, TraceContext
from hopeit.server.steps import CollectorStepInfo, StepsChain, is_coroutine
from hopeit.server.version import ENGINE_VERSION
from opentelemetry import trace
from opentelemetry.trace import (
    NonRecordingSpan,
    Span,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
    TraceState,
)

if TYPE_CHECKING:  # pragma: no cover - the engine imports this module: no cycle at run time
    from hopeit.server.app_engine import AppEngine

__all__ = ["OtelSpans", "instrument", "spans"]

_KINDS: Dict[Optional[EventType], SpanKind] = {
    EventType.GET: SpanKind.SERVER,
    EventType.POST: SpanKind.SERVER,
    EventType.MULTIPART: SpanKind.SERVER,
    EventType.STREAM: SpanKind.CONSUMER,
}
_OUTGOING_KINDS: Dict[str, SpanKind] = {"PRODUCER": SpanKind.PRODUCER, "CLIENT": SpanKind.CLIENT}


def _attributes(context: EventContext) -> Dict[str, str]:
    return {"hopeit.app": context.app_key, "hopeit.event": context.event_name, **context.track_ids}


def _with_span(span: Span) -> Any:
    return trace.set_span_in_context(span)


def _remote_parent(incoming: TraceContext) -> Any:
    """The OpenTelemetry context of the caller's span, or None when the trace started here."""
    if incoming.parent_id is None:
        return None
    state = TraceState.from_header([incoming.state]) if incoming.state else None
    caller = SpanContext(
        trace_id=int(incoming.trace_id, 16), span_id=int(incoming.parent_id, 16), is_remote=True,
        trace_flags=TraceFlags(incoming.flags), trace_state=state,
    )
    return _with_span(NonRecordingSpan(caller))


class OtelSpans(SpanHooks):
    """Records the spans of events, steps, writes and calls with the global tracer provider."""

    def __init__(self) -> None:
        self.tracer = trace.get_tracer("hopeit.engine", ENGINE_VERSION)

    def start_event(self, context: EventContext, event_type: Optional[EventType]) -> Span:
        """Start the span of an event execution; the context's trace becomes that span's."""
        incoming = context.trace
        span = self.tracer.start_span(
            context.event_name, context=_remote_parent(incoming), kind=_KINDS.get(event_type, SpanKind.INTERNAL),
            attributes=_attributes(context),
        )
        found = span.get_span_context()
        if span.is_recording():  # else (not sampled, no SDK) the trace goes on with the ids it has
            context.trace = TraceContext(
                f"{found.trace_id:032x}", f"{found.span_id:016x}", parent_id=incoming.parent_id,
                flags=int(found.trace_flags), state=incoming.state, span=span,
            )
        else:
            incoming.span = span
        return span

    def child_span(self, context: EventContext, name: str, kind: SpanKind = SpanKind.INTERNAL) -> Span:
        """Start a span under the event's span (a step, a write, a call)."""
        parent = context.trace.span
        return self.tracer.start_span(
            name, context=None if parent is None else _with_span(parent), kind=kind, attributes=_attributes(context),
        )

    def outgoing(self, event_trace: TraceContext, kind: str, name: str, attributes: Dict[str, str]) -> OutgoingTrace:
        """A ``PRODUCER`` or ``CLIENT`` span for a write or call; its headers name it as the receiver's parent."""
        parent = event_trace.span
        span = self.tracer.start_span(
            name, context=None if parent is None else _with_span(parent),
            kind=_OUTGOING_KINDS.get(kind, SpanKind.INTERNAL), attributes=attributes,
        )
        if not span.is_recording():
            return OutgoingTrace(event_trace.headers(trace_context.new_span_id()), span)
        return OutgoingTrace(event_trace.headers(f"{span.get_span_context().span_id:016x}"), span)

    def end_span(self, span: Any, error: Optional[BaseException]) -> None:
        """End ``span``; an error (not a generator closing) marks it failed and is recorded on it."""
        if error is not None and not isinstance(error, GeneratorExit):
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
        span.end()


async def _finish(outcome: Any, span: Span, recorder: OtelSpans) -> Any:
    """Await what a step or event handed back, then end its span."""
    try:
        result = await outcome
    except BaseException as exc:
        recorder.end_span(span, exc)
        raise
    recorder.end_span(span, None)
    return result


def _in_span(recorder: OtelSpans, span: Span, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``func(*args, **kwargs)`` with ``span`` ended when it returns, or when the coroutine it handed back ends."""
    try:
        result = func(*args, **kwargs)
    except BaseException as exc:
        recorder.end_span(span, exc)
        raise
    if is_coroutine(result):
        return _finish(result, span, recorder)
    recorder.end_span(span, None)
    return result


def _traced_call(recorder: OtelSpans, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` (a plain or ``async def`` step) in a span of its own."""

    def step(payload: Any, context: EventContext, **kwargs: Any) -> Any:
        return _in_span(recorder, recorder.child_span(context, name), func, payload, context, **kwargs)

    return step


def _traced_spawn(recorder: OtelSpans, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` (a step spawning items) in a span lasting until its last item."""

    async def step(payload: Any, context: EventContext, **kwargs: Any) -> AsyncIterator[Any]:
        span = recorder.child_span(context, name)
        try:
            async for item in func(payload, context, **kwargs):
                yield item
        except BaseException as exc:
            recorder.end_span(span, exc)
            raise
        recorder.end_span(span, None)

    return step


def _traced_chain(recorder: OtelSpans, chain: StepsChain, event_name: str) -> StepsChain:
    """A chain of the same steps, each (but collectors) in a span named ``<event>.<step>``."""
    steps = []
    for name, info in chain.steps:
        if not isinstance(info, CollectorStepInfo):
            wrap = _traced_spawn if info.is_generator else _traced_call
            info = replace(info, func=wrap(recorder, f"{event_name}.{name}", info.func))
        steps.append((name, info))
    return StepsChain(steps, step_delay_ms=round(chain.step_delay * 1000))


#: The recorder in use, once ``instrument`` ran.
spans: Optional[OtelSpans] = None


def instrument(engine: "AppEngine") -> None:
    """Record spans of the events of a started ``engine`` (its events loaded, before any runs)."""
    global spans
    if spans is None:
        spans = OtelSpans()
    recorder = spans
    trace_context.hooks = recorder
    handler = engine.event_handler
    assert handler is not None, "instrument a started engine"
    for event_name, loaded in handler.events.items():
        loaded.chain = _traced_chain(recorder, loaded.chain, event_name)
    start = type(engine).start_event.__get__(engine)  # the class's: an engine started again is wrapped once
    types = {name: info.type for name, info in engine.effective_events.items()}

    def start_event(
        context: EventContext, payload: Any, query_args: Optional[Dict[str, Any]] = None,
        queue: str = StreamQueue.AUTO, owned: bool = False,
    ) -> Any:
        span = recorder.start_event(context, types.get(base_event_name(context.event_name)))
        return _in_span(recorder, span, start, context, payload, query_args, queue, owned)

    engine.start_event = start_event  # type: ignore[method-assign]
