"""W3C trace context: parsing and formatting ``traceparent``/``tracestate``, and the lazy trace of a context."""

from typing import Any, List

import pytest
from hopeit.app import trace_context
from hopeit.app.config import AppConfig
from hopeit.app.trace_context import (
    MAX_TRACESTATE_LENGTH,
    TraceContext,
    format_traceparent,
    new_span_id,
    new_trace_id,
    parse_traceparent,
    parse_tracestate,
)
from hopeit.testing.apps import create_test_context

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
VALID = f"00-{TRACE_ID}-{PARENT_ID}-01"


def test_parses_a_valid_version_00_header() -> None:
    assert parse_traceparent(VALID) == (TRACE_ID, PARENT_ID, 1)
    assert parse_traceparent(f"00-{TRACE_ID}-{PARENT_ID}-00") == (TRACE_ID, PARENT_ID, 0)
    assert parse_traceparent(f" \t{VALID} ") == (TRACE_ID, PARENT_ID, 1)  # optional whitespace of a header


@pytest.mark.parametrize("header", [
    None,
    "",
    "garbage",
    VALID[:-1],  # too short
    VALID + "0",  # version 00 has exactly 55 characters
    VALID + "-extra",  # ... and no more fields
    VALID.upper(),  # lowercase hex only
    f"00-{TRACE_ID.upper()}-{PARENT_ID}-01",
    f"00-{'0' * 32}-{PARENT_ID}-01",  # all-zero trace id
    f"00-{TRACE_ID}-{'0' * 16}-01",  # all-zero parent id
    f"ff-{TRACE_ID}-{PARENT_ID}-01",  # version ff is invalid
    f"0g-{TRACE_ID}-{PARENT_ID}-01",
    f"00-{TRACE_ID[:-1]}x-{PARENT_ID}-01",
    f"00-{TRACE_ID}-{PARENT_ID[:-1]}x-01",
    f"00-{TRACE_ID}-{PARENT_ID}-0x",
    f"00_{TRACE_ID}-{PARENT_ID}-01",
    f"00-{TRACE_ID}_{PARENT_ID}-01",
    f"00-{TRACE_ID}-{PARENT_ID}_01",
])
def test_invalid_headers_are_ignored(header: Any) -> None:
    assert parse_traceparent(header) is None


def test_future_versions_are_read_as_far_as_version_00_reaches() -> None:
    assert parse_traceparent(f"01-{TRACE_ID}-{PARENT_ID}-03") == (TRACE_ID, PARENT_ID, 3)
    assert parse_traceparent(f"cc-{TRACE_ID}-{PARENT_ID}-01-what-comes-next") == (TRACE_ID, PARENT_ID, 1)
    assert parse_traceparent(f"cc-{TRACE_ID}-{PARENT_ID}-01x") is None  # more, but not after a dash


def test_formats_version_00_with_only_the_sampled_flag() -> None:
    assert format_traceparent(TRACE_ID, PARENT_ID, 1) == VALID
    assert format_traceparent(TRACE_ID, PARENT_ID, 0x03) == VALID  # unknown flags are not passed on
    assert format_traceparent(TRACE_ID, PARENT_ID, 0x02).endswith("-00")


def test_new_ids_are_valid_and_differ() -> None:
    traces = {new_trace_id() for _ in range(100)}
    spans = {new_span_id() for _ in range(100)}
    assert len(traces) == 100 and len(spans) == 100
    for trace_id in traces:
        for span_id in spans:
            assert parse_traceparent(format_traceparent(trace_id, span_id, 1)) == (trace_id, span_id, 1)


def test_tracestate_is_passed_on_as_it_came_within_bounds() -> None:
    assert parse_tracestate(None) is None
    assert parse_tracestate("") is None
    assert parse_tracestate(" rojo=00f067aa0ba902b7,congo=t61rcWkgMzE ") == "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"
    assert parse_tracestate("bad=\x01value") is None  # control characters: not passed into messages and headers
    assert parse_tracestate("ünicode=1") is None
    long_members = ",".join(f"vendor{i}={'x' * 40}" for i in range(20))
    cut = parse_tracestate(long_members)
    assert cut is not None and len(cut) <= MAX_TRACESTATE_LENGTH
    assert long_members.startswith(cut) and cut.count(",") + 1 == len(cut.split(","))  # whole members only
    many = ",".join(f"k{i}=v" for i in range(40))
    kept = parse_tracestate(many)
    assert kept is not None and kept.split(",") == [f"k{i}=v" for i in range(32)]
    assert parse_tracestate("a=1,,b=2") == "a=1,,b=2"  # short enough: as it came
    assert parse_tracestate(", ,".join(["x" * 600])) is None  # one member too long for the bound


def test_trace_continues_a_valid_parent_and_starts_otherwise() -> None:
    continued = TraceContext.continued(VALID, "rojo=1")
    assert (continued.trace_id, continued.parent_id, continued.flags, continued.state) == (TRACE_ID, PARENT_ID, 1,
                                                                                           "rojo=1")
    assert continued.span_id != PARENT_ID and len(continued.span_id) == 16
    assert continued.traceparent == f"00-{TRACE_ID}-{continued.span_id}-01"
    assert continued.headers() == {"traceparent": continued.traceparent, "tracestate": "rojo=1"}
    assert continued.headers("1111111111111111")["traceparent"] == f"00-{TRACE_ID}-1111111111111111-01"
    started = TraceContext.continued("00-bad", "rojo=1")
    assert started.trace_id != TRACE_ID and started.parent_id is None
    assert started.state is None  # tracestate only along a valid traceparent
    assert started.flags == 1 and started.headers() == {"traceparent": started.traceparent}
    assert TRACE_ID in repr(continued)


def test_context_makes_its_trace_once_and_only_when_asked(mock_app_config: AppConfig,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    made: List[Any] = []
    original = TraceContext.continued.__func__  # type: ignore[attr-defined]

    def counting(cls: Any, *args: Any) -> TraceContext:
        made.append(args)
        trace: TraceContext = original(cls, *args)
        return trace

    monkeypatch.setattr(TraceContext, "continued", classmethod(counting))
    context = create_test_context(mock_app_config, "mock_get")
    assert made == []
    first = context.trace
    assert context.trace is first and made == [(None,)]
    assert "traceparent" not in context.track_ids

    incoming = create_test_context(mock_app_config, "mock_get",
                                   track_ids={"traceparent": VALID, "tracestate": "rojo=1"})
    assert "traceparent" not in incoming.track_ids and "tracestate" not in incoming.track_ids  # never a track id
    assert incoming.trace.trace_id == TRACE_ID and incoming.trace.parent_id == PARENT_ID
    assert made[-1] == (VALID, "rojo=1")


def test_outgoing_trace_is_a_child_span_of_the_event(mock_app_config: AppConfig) -> None:
    assert trace_context.hooks is None  # OpenTelemetry is not enabled in this process
    context = create_test_context(mock_app_config, "mock_get", track_ids={"traceparent": VALID})
    with context.outgoing_trace("CLIENT", "target event") as headers:
        parsed = parse_traceparent(headers["traceparent"])
    assert parsed is not None
    trace_id, parent_id, flags = parsed
    assert trace_id == TRACE_ID and flags == 1
    assert parent_id not in (PARENT_ID, context.trace.span_id)  # a span of its own, child of the event's
    with context.outgoing_trace("PRODUCER", "stream") as other:
        assert other["traceparent"] != headers["traceparent"]
