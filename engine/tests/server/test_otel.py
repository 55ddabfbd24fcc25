"""``hopeit.server.otel`` piece by piece, with tracer providers of its own (not the global one)."""

from typing import Any, AsyncIterator, List, Tuple

import pytest
from hopeit.app.config import AppConfig, EventType
from hopeit.server.otel import OtelSpans, _traced_call, _traced_spawn
from hopeit.testing.apps import create_test_context
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace import StatusCode

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def recorder(**provider_args: Any) -> Tuple[OtelSpans, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(**provider_args)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    spans = OtelSpans()
    spans.tracer = provider.get_tracer("test")
    return spans, exporter


def test_unsampled_spans_leave_the_trace_as_it_came(mock_app_config: AppConfig) -> None:
    spans, exporter = recorder(sampler=ALWAYS_OFF)
    context = create_test_context(mock_app_config, "mock_get", track_ids={"traceparent": TRACEPARENT})
    before = context.trace
    span = spans.start_event(context, EventType.GET)
    assert not span.is_recording()
    assert context.trace is before and before.span is span  # the ids it had go on
    with spans.outgoing(context.trace, "CLIENT", "call", {}) as headers:
        assert headers["traceparent"].startswith("00-4bf92f3577b34da6a3ce929d0e0e4736-")
        assert before.span_id not in headers["traceparent"]
    spans.end_span(span, None)
    assert exporter.get_finished_spans() == ()


async def test_async_step_and_spawn_failures_end_their_spans_failed(mock_app_config: AppConfig) -> None:
    spans, exporter = recorder()
    context = create_test_context(mock_app_config, "mock_get")
    spans.start_event(context, None)

    async def failing(payload: Any, context: Any) -> None:
        raise ValueError("async failure")

    async def spawning(payload: Any, context: Any) -> AsyncIterator[int]:
        yield 1
        raise KeyError("spawn failure")

    with pytest.raises(ValueError, match="async failure"):
        await _traced_call(spans, "ev.failing", failing)(None, context)
    got: List[int] = []
    with pytest.raises(KeyError):
        async for item in _traced_spawn(spans, "ev.spawning", spawning)(None, context):
            got.append(item)
    assert got == [1]
    finished = {s.name: s for s in exporter.get_finished_spans()}
    assert finished["ev.failing"].status.status_code == StatusCode.ERROR
    assert finished["ev.spawning"].status.status_code == StatusCode.ERROR
    assert finished["ev.failing"].parent.span_id == int(context.trace.span_id, 16)  # type: ignore[union-attr]
