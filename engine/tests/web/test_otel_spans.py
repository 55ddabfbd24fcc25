"""OpenTelemetry spans (``HOPEIT_OTEL=1``): one trace from an HTTP POST through two streams, in-process.

An SDK tracer provider with an in-memory exporter is installed as the global provider (once per
process: OpenTelemetry allows no other); each test turns the engine's spans on through the
environment, and off again after.
"""

from typing import Any, Dict, Iterator, List, Optional

import pytest
from hopeit.app import trace_context
from hopeit.testing.waiting import wait_until
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from trace_support import PARENT_ID, SEEN, TRACE_BASE, TRACE_CONFIGS, TRACE_ID, TRACEPARENT, seen_by
from web_support import MakeClient

_EXPORTER: List[InMemorySpanExporter] = []


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    """The exporter of the spans recorded while the test runs with ``HOPEIT_OTEL=1``."""
    if not _EXPORTER:
        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
        _EXPORTER.append(exporter)
    _EXPORTER[0].clear()
    SEEN.clear()
    monkeypatch.setenv("HOPEIT_OTEL", "1")
    yield _EXPORTER[0]
    trace_context.hooks = None  # the tests after this one record no spans
    SEEN.clear()


async def _finished(exporter: InMemorySpanExporter, name: str, count: int = 1) -> Dict[str, ReadableSpan]:
    """The finished spans by name, once ``count`` spans named ``name`` ended."""

    async def ended() -> Optional[Dict[str, ReadableSpan]]:
        found = exporter.get_finished_spans()
        if sum(1 for s in found if s.name == name) < count:
            return None
        return {s.name: s for s in found}

    result: Dict[str, ReadableSpan] = await wait_until(ended, timeout=10, interval=0.02, what=f"span {name} ended")
    return result


def _parent(span: ReadableSpan) -> Any:
    assert span.parent is not None, f"{span.name} has no parent"
    return span.parent.span_id


def _id(span: ReadableSpan) -> int:
    context = span.context
    assert context is not None
    span_id: int = context.span_id
    return span_id


async def test_one_trace_from_http_post_through_streams_to_consumers(web_client: MakeClient,
                                                                     spans: InMemorySpanExporter) -> None:
    client = await web_client(TRACE_CONFIGS, start_streams=True)
    resp = await client.post(f"{TRACE_BASE}/start", json={"id": "a"},
                             headers={"traceparent": TRACEPARENT, "tracestate": "rojo=1",
                                      "X-Track-Request-Id": "req-1"})
    assert resp.status == 200
    by_name = await _finished(spans, "finish")
    start, relay, finish = by_name["start"], by_name["relay"], by_name["finish"]
    assert {f"{s.context.trace_id:032x}" for s in spans.get_finished_spans()} == {TRACE_ID}  # type: ignore[union-attr]
    assert start.kind == SpanKind.SERVER and relay.kind == finish.kind == SpanKind.CONSUMER
    assert _parent(start) == int(PARENT_ID, 16) and start.parent.is_remote  # type: ignore[union-attr]
    assert start.context.trace_state.get("rojo") == "1"  # type: ignore[union-attr]
    for step, event in (("start.check", start), ("start.publish", start), ("relay.relay", relay),
                        ("finish.finish", finish)):
        assert _parent(by_name[step]) == _id(event), step
    started, relayed = by_name["trace_test.started"], by_name["trace_test.relayed"]
    assert started.kind == relayed.kind == SpanKind.PRODUCER
    assert _parent(started) == _id(start) and _parent(relay) == _id(started)
    assert _parent(relayed) == _id(relay) and _parent(finish) == _id(relayed)
    for span in (start, relay, finish, started, by_name["finish.finish"]):
        assert span.attributes is not None and span.attributes["track.request_id"] == "req-1", span.name
    assert start.attributes["hopeit.event"] == "start"  # type: ignore[index]
    # what the events saw of their trace is their span
    (seen_start,), (seen_relay,) = await seen_by("start"), await seen_by("relay")
    assert seen_start["span_id"] == f"{_id(start):016x}" and seen_relay["parent_id"] == f"{_id(started):016x}"


async def test_a_new_trace_starts_without_traceparent_and_spawned_items_share_it(
    web_client: MakeClient, spans: InMemorySpanExporter
) -> None:
    client = await web_client(TRACE_CONFIGS, start_streams=True)
    resp = await client.post(f"{TRACE_BASE}/spawn", json={"id": "s"})
    assert resp.status == 200
    await _finished(spans, "finish", 2)
    found = spans.get_finished_spans()
    spawn = next(s for s in found if s.name == "spawn")
    assert spawn.parent is None and spawn.kind == SpanKind.SERVER
    assert _parent(next(s for s in found if s.name == "spawn.split")) == _id(spawn)
    assert len({s.context.trace_id for s in found}) == 1  # type: ignore[union-attr]


async def test_failures_mark_the_step_and_event_spans(web_client: MakeClient, spans: InMemorySpanExporter) -> None:
    client = await web_client(TRACE_CONFIGS)
    resp = await client.get(f"{TRACE_BASE}/broken")
    assert resp.status == 500
    by_name = await _finished(spans, "broken")
    for name in ("broken", "broken.fail"):
        span = by_name[name]
        assert span.status.status_code == StatusCode.ERROR, name
        assert "ValueError: broken on purpose" in (span.status.description or "")
        assert [e.name for e in span.events] == ["exception"]
    quiet = await client.get(f"{TRACE_BASE}/quiet")
    assert quiet.status == 200
    assert (await _finished(spans, "quiet"))["quiet"].status.status_code == StatusCode.UNSET
