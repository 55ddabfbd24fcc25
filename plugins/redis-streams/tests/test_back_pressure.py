"""Back-pressure: a slow consumer holds at most one batch, however long the stream behind it."""

import tracemalloc
from pathlib import Path

import redis.asyncio as aioredis
from hopeit.streams.messages import payload_type_name
from hopeit.testing.redis import RedisServer
from redis_streams_e2e import Item, Order
from redis_streams_e2e.events import consume_slow
from test_app_engine import clean, context, start_engine  # noqa: F401 - clean is a fixture

BACKLOG = 6000
BATCH = 20  # settings.consume_slow.stream.batch_size


async def test_a_flooded_slow_consumer_holds_one_batch_and_flat_memory(
    redis_server: RedisServer, clean: "aioredis.Redis", tmp_path: Path  # noqa: F811
) -> None:
    consume_slow.HELD[:] = [0, 0, 0]
    # at WARNING: pytest keeps every log record a test makes in memory, which would be measured too
    engine = await start_engine(redis_server.url, tmp_path, log_level="WARNING")
    try:
        await engine.execute(context=context(engine), query_args=None, payload=Order(count=BACKLOG))
        stream = engine.effective_events["consume_slow"].read_stream
        assert stream is not None and await clean.xlen(stream.name) == BACKLOG  # the flood, waiting in Redis
        tracemalloc.start()
        try:
            await engine.read_stream(event_name="consume_slow", max_events=1000, wait_start=False)
            after_first, _ = tracemalloc.get_traced_memory()
            await engine.read_stream(event_name="consume_slow", max_events=BACKLOG - 1000, wait_start=False)
            after_all, peak = tracemalloc.get_traced_memory()
            # the baseline: a consumer without back-pressure, reading those 5,000 messages at once
            manager = engine.stream_manager
            assert manager is not None
            await manager.ensure_consumer_group(stream_name=stream.name, consumer_group="greedy")
            held = await manager.read_stream(
                stream_name=stream.name, consumer_group="greedy", datatypes={payload_type_name(Item): Item},
                track_headers=[], offset=">", batch_size=BACKLOG - 1000, timeout=1000, batch_interval=0,
            )
            assert len(held) == BACKLOG - 1000
            holding_them = tracemalloc.get_traced_memory()[0] - after_all
            del held
        finally:
            tracemalloc.stop()
        assert consume_slow.HELD[2] == BACKLOG
        assert consume_slow.HELD[1] == BATCH  # the limit held: never more than one batch at once
        # 5,000 more messages read and done, and the consumer's memory did not grow with them as it
        # would holding them: the backlog stays in Redis. (What grows a little is bounded: pydantic
        # caches up to 16,384 short strings it parsed, here the ids of the items.)
        assert after_all - after_first < holding_them / 10, (after_first, after_all, peak, holding_them)
        assert (await clean.xpending(stream.name, stream.consumer_group))["pending"] == 0
    finally:
        await engine.stop()
        await clean.flushall()  # the 6,000 items and the greedy group are no other test's
