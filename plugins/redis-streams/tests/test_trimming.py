"""Writes that trim (``target_max_len``) entries a consumer group never read are warned about and counted.

The fault: with simple-example's consumer stopped, ``target_max_len: 1000`` silently trimmed 2,000
messages that had each been answered 200.
"""

import logging
from typing import List

import pytest
import redis.asyncio as aioredis
from hopeit.app.config import Compression, Serialization
from hopeit.redis_streams import RedisStreamManager
from redis_streams_support import TRACK_IDS, ManagerFactory, eventually, read_events, something

MAX_LEN = 1000


async def write(manager: RedisStreamManager, stream_name: str, values: List[int]) -> None:
    await manager.write_stream_batch(
        stream_name=stream_name, queue="AUTO", payloads=[something(v) for v in values], track_ids=TRACK_IDS,
        auth_info={}, compression=Compression.NONE, serialization=Serialization.JSON_UTF8, target_max_len=MAX_LEN,
    )


async def test_trimming_what_a_stopped_consumer_never_read_is_logged_and_counted(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Group created, no consumer running, 3x target_max_len written: one warning, and the counter equals
    what was trimmed (all of it unread)."""
    manager = await make_manager()
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="stopped")
    with caplog.at_level(logging.WARNING, logger="hopeit.streams"):
        for start in range(0, 3 * MAX_LEN, 100):
            await write(manager, stream_name, list(range(start, start + 100)))
        for value in range(10):  # single writes trim too
            await manager.write_stream(
                stream_name=stream_name, queue="AUTO", payload=something(value), track_ids=TRACK_IDS,
                auth_info={}, compression=Compression.NONE, serialization=Serialization.JSON_UTF8,
                target_max_len=MAX_LEN,
            )
        remaining: int = await raw.xlen(stream_name)
        assert MAX_LEN <= remaining < 3 * MAX_LEN  # MAXLEN ~: approximate, whole nodes at a time

        async def counted() -> bool:
            return manager.stats()["trimmed_unread"].get(stream_name) == 3 * MAX_LEN + 10 - remaining

        await eventually(counted, timeout=10)
    warnings = [r.getMessage() for r in caplog.records if "trimmed" in r.getMessage()]
    assert len(warnings) == 1, warnings  # at most one a minute per stream, not one per message
    assert f"Stream '{stream_name}' trimmed" in warnings[0] and "consumer group(s) 'stopped'" in warnings[0]
    assert f"(maximum length {MAX_LEN})" in warnings[0]


async def test_trimming_what_every_group_read_is_not_counted(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A consumer that keeps up loses nothing to trimming: no warning, no count; a stream with no group neither."""
    manager = await make_manager()
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    with caplog.at_level(logging.WARNING, logger="hopeit.streams"):
        for start in range(0, 3 * MAX_LEN, 100):
            await write(manager, stream_name, list(range(start, start + 100)))
            events = await read_events(manager, stream_name, "g", batch_size=200)
            await manager.ack_read_stream_batch(stream_name=stream_name, consumer_group="g", stream_events=events)
        await write(manager, stream_name + ".nogroup", list(range(3 * MAX_LEN)))
        await write(manager, stream_name, [0])  # a later trim: the checks above have had their turn

        async def checked() -> bool:
            return manager._trim_watch.idle

        await eventually(checked, timeout=10)
    assert await raw.xlen(stream_name) < 3 * MAX_LEN
    assert manager.stats()["trimmed_unread"] == {}
    assert not [r for r in caplog.records if "trimmed" in r.getMessage()]
