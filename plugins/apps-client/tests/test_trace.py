"""W3C trace context across apps (issue #18): one trace from an HTTP POST, through a stream, to a
consumer whose apps-client call reaches a second server.

The calling server runs in-process (its spans go to an in-memory exporter); the called one is a
real ``hopeit_server run`` process, which answers with the trace context it received.
"""

from typing import Any, Dict, Iterator, List, Optional

import pytest
from caller_app.trace_call import CALLS
from hopeit.app import trace_context
from hopeit.app.config import parse_app_config_json
from hopeit.apps_client._http import request_headers
from hopeit.testing.apps import create_test_context
from hopeit.testing.waiting import wait_until
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from servers import TESTS, AppServer, start_all, target

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_ID = "b7ad6b7169203331"
CALLER_CONFIGS = [str(TESTS / "caller_app" / "config" / "trace-server.json"),
                  str(TESTS / "caller_app" / "config" / "trace-config.json")]


@pytest.fixture(scope="module")
def called(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    workdir = tmp_path_factory.mktemp("trace")
    (workdir / "secrets").mkdir()  # the target's server config creates its keys there
    server, = start_all([target("traced", workdir, workdir / "secrets")])
    yield server
    server.stop()


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch, called: AppServer) -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)  # once in this process: no other test sets one
    monkeypatch.setenv("HOPEIT_OTEL", "1")
    monkeypatch.setenv("TARGET_HOSTS", called.url)
    CALLS.clear()
    yield exporter
    trace_context.hooks = None
    CALLS.clear()


async def test_one_trace_from_post_through_stream_to_an_app_call(aiohttp_client: Any,
                                                                 spans: InMemorySpanExporter) -> None:
    from hopeit.web.server import init_web_server

    client = await aiohttp_client(init_web_server(CALLER_CONFIGS, start_streams=True))
    resp = await client.post("/api/trace-caller/1x0/trace-start", json={"id": "x"},
                             headers={"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01", "tracestate": "vendor=abc"})
    assert resp.status == 200, await resp.text()

    async def answered() -> Optional[Dict[str, ReadableSpan]]:
        found = {s.name: s for s in spans.get_finished_spans()}
        return found if CALLS and "trace_call" in found else None

    by_name: Dict[str, ReadableSpan] = await wait_until(answered, timeout=15, interval=0.05, what="the app call")
    post, produced, consumed = by_name["trace_start"], by_name["trace_caller.started"], by_name["trace_call"]
    call = by_name["target-app trace_seen"]
    assert (post.kind, produced.kind, consumed.kind, call.kind) == (
        SpanKind.SERVER, SpanKind.PRODUCER, SpanKind.CONSUMER, SpanKind.CLIENT)
    assert {f"{s.context.trace_id:032x}" for s in by_name.values()} == {TRACE_ID}  # type: ignore[union-attr]
    assert post.parent.span_id == int(PARENT_ID, 16)  # type: ignore[union-attr]
    assert produced.parent.span_id == post.context.span_id  # type: ignore[union-attr]
    assert consumed.parent.span_id == produced.context.span_id  # type: ignore[union-attr]
    assert call.parent.span_id == consumed.context.span_id  # type: ignore[union-attr]
    # the second server continued the trace from the CLIENT span, tracestate included
    seen, = CALLS
    assert seen.trace_id == TRACE_ID
    assert seen.parent_id == f"{call.context.span_id:016x}"  # type: ignore[union-attr]
    assert seen.state == "vendor=abc"


def test_calls_carry_a_child_span_of_the_calling_event() -> None:
    assert trace_context.hooks is None
    app_config = parse_app_config_json((TESTS / "caller_app" / "config" / "trace-config.json").read_text()
                                       .replace("${TARGET_HOSTS}", "http://127.0.0.1:1"))
    context = create_test_context(app_config, "trace_call",
                                  track_ids={"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"})
    headers: List[Dict[str, str]] = []
    with context.outgoing_trace("CLIENT", "target-app trace_seen") as trace_headers:
        headers.append({**request_headers(context, None), **trace_headers})
    sent = headers[0]["traceparent"]
    assert sent.startswith(f"00-{TRACE_ID}-") and sent.endswith("-01")
    assert PARENT_ID not in sent and context.trace.span_id not in sent
    assert "X-Traceparent" not in headers[0] and "X-Track-Traceparent" not in headers[0]
