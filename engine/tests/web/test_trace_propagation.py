"""W3C trace context through a server: HTTP header -> event -> stream message -> consumer -> next stream."""

from typing import Any, Dict, Iterator, List, Tuple

import pytest
from aiohttp.test_utils import make_mocked_request
from hopeit.app.trace_context import TraceContext
from hopeit.web.tracking import track_ids
from multidict import CIMultiDict
from trace_support import PARENT_ID, SEEN, TRACE_BASE, TRACE_CONFIGS, TRACE_ID, TRACEPARENT, seen_by
from web_support import MakeClient


@pytest.fixture(autouse=True)
def _clean_seen() -> Iterator[None]:
    SEEN.clear()
    yield
    SEEN.clear()


async def test_incoming_traceparent_continues_through_streams(web_client: MakeClient) -> None:
    client = await web_client(TRACE_CONFIGS, start_streams=True)
    resp = await client.post(f"{TRACE_BASE}/start", json={"id": "a"},
                             headers={"traceparent": TRACEPARENT, "tracestate": "rojo=1"})
    assert resp.status == 200
    assert "traceparent" not in resp.headers and "X-Traceparent" not in resp.headers  # not a track id
    start, = await seen_by("start")
    relay, = await seen_by("relay")
    finish, = await seen_by("finish")
    assert start["trace_id"] == relay["trace_id"] == finish["trace_id"] == TRACE_ID
    assert start["parent_id"] == PARENT_ID
    # each message names a child span of the writing event as its parent
    assert relay["parent_id"] not in (None, PARENT_ID, start["span_id"])
    assert finish["parent_id"] not in (None, relay["parent_id"], relay["span_id"])
    assert start["state"] == relay["state"] == finish["state"] == "rojo=1"


def test_trace_headers_are_read_with_the_track_headers() -> None:
    def ids(*headers: Tuple[str, str]) -> Dict[str, str]:
        return track_ids(make_mocked_request("GET", "/", headers=CIMultiDict(headers)))

    found = ids(("traceparent", TRACEPARENT), ("tracestate", "rojo=1"), ("TraceState", "congo=2"),
                ("X-Track-Session-Id", "s"), ("Transfer-Encoding", "chunked"))
    assert found["traceparent"] == TRACEPARENT and found["tracestate"] == "rojo=1,congo=2"  # joined, as the spec says
    assert found["track.session_id"] == "s"
    assert ids(("TRACEPARENT", TRACEPARENT))["traceparent"] == TRACEPARENT  # header names have no case
    assert ids(("traceparent", TRACEPARENT), ("traceparent", TRACEPARENT))["traceparent"] == ""  # two: invalid
    assert "traceparent" not in ids(("X-Track-Traceparent", "x"))


@pytest.mark.parametrize("headers", [
    [],
    [("traceparent", TRACEPARENT.upper())],  # invalid: a new trace starts
], ids=["absent", "invalid"])
async def test_without_a_valid_traceparent_one_is_started(web_client: MakeClient, headers: List[Any]) -> None:
    client = await web_client(TRACE_CONFIGS, start_streams=True)
    resp = await client.post(f"{TRACE_BASE}/start", json={"id": "c"}, headers=[*headers, ("tracestate", "rojo=1")])
    assert resp.status == 200
    start, = await seen_by("start")
    finish, = await seen_by("finish")
    assert start["trace_id"] != TRACE_ID and start["parent_id"] is None and start["state"] is None
    assert finish["trace_id"] == start["trace_id"]


async def test_messages_of_one_request_share_its_trace(web_client: MakeClient) -> None:
    client = await web_client(TRACE_CONFIGS, start_streams=True)
    resp = await client.post(f"{TRACE_BASE}/spawn", json={"id": "d"})
    assert resp.status == 200
    spawn, = await seen_by("spawn")
    relays = await seen_by("relay", 2)
    assert {r["trace_id"] for r in relays} == {spawn["trace_id"]}


async def test_a_request_that_writes_and_calls_nothing_makes_no_trace(web_client: MakeClient,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    made: List[Any] = []
    monkeypatch.setattr(TraceContext, "continued", classmethod(lambda cls, *args: made.append(args)))
    client = await web_client(TRACE_CONFIGS)
    for headers in ({}, {"traceparent": TRACEPARENT}, {"X-Track-Session-Id": "s", "Transfer": "x"}):
        resp = await client.get(f"{TRACE_BASE}/quiet", headers=headers)
        assert resp.status == 200
    assert made == []
