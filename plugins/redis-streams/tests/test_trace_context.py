"""W3C trace context on a real Redis: an event's ``traceparent`` travels as a field of every message
it writes, and the reading event continues that trace (issue #18)."""

from pathlib import Path
from typing import Dict

import redis.asyncio as aioredis
from hopeit.app.trace_context import parse_traceparent
from hopeit.streams import StreamManager
from hopeit.testing.redis import RedisServer
from redis_streams_e2e import Item, Order
from test_app_engine import clean, start_engine  # noqa: F401 - the fixture is used by name

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"


async def test_traceparent_travels_in_the_messages_and_continues_in_the_reader(
    redis_server: RedisServer, clean: "aioredis.Redis", tmp_path: Path  # noqa: F811
) -> None:
    engine = await start_engine(redis_server.url, tmp_path)
    try:
        track_ids: Dict[str, str] = {
            "track.request_id": "r1", "track.request_ts": "2024-01-01T00:00:00+00:00",
            "traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01", "tracestate": "rojo=00f067aa0ba902b7",
        }
        context = engine.create_context("publish", track_ids, {"auth_type": "Unsecured", "allowed": "true"})
        await engine.execute(context=context, query_args=None, payload=Order(count=3))
        stream = engine.effective_events["consume"].read_stream
        assert stream is not None
        messages = await clean.xrange(stream.name)
        assert len(messages) == 3
        parents = set()
        for _, fields in messages:
            parsed = parse_traceparent(fields[b"traceparent"].decode())
            assert parsed is not None
            trace_id, parent_id, flags = parsed
            assert (trace_id, flags) == (TRACE_ID, 1) and parent_id not in (PARENT_ID, context.trace.span_id)
            assert fields[b"tracestate"] == b"rojo=00f067aa0ba902b7"
            assert b"track.traceparent" not in fields
            parents.add(parent_id)
        assert len(parents) == 1  # one write: one PRODUCER span, whose child every message is

        manager = engine.stream_manager
        assert isinstance(manager, StreamManager)
        read = await manager.read_stream(
            stream_name=stream.name, consumer_group=stream.consumer_group, datatypes={"redis_streams_e2e.Item": Item},
            track_headers=["track.request_id"], offset=">", batch_size=10, timeout=100, batch_interval=100,
        )
        assert len(read) == 3
        for item in read:
            assert not isinstance(item, Exception), item
            reader = engine.create_context("consume", item.track_ids, {})
            assert reader.trace.trace_id == TRACE_ID and reader.trace.parent_id in parents
            assert reader.trace.state == "rojo=00f067aa0ba902b7"
            assert "traceparent" not in reader.track_ids  # never logged as a track id
    finally:
        await engine.stop()
