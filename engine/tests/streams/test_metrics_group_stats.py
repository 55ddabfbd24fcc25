"""``group_stats`` of the in-process manager: pending, lag and dead-lettered of a consumer group (for ``/metrics``)."""

import logging

import pytest
from hopeit.contracts.settings import StreamsConfig
from hopeit.streams import StreamGroupStats
from hopeit.streams.memory import MemoryStreamManager

from .fake_clock import FakeClock
from .memory_support import GROUP, STREAM, ack, events, read, write
from .payloads import Plain


async def test_pending_lag_and_dead_lettered_follow_reads_acks_and_dead_letters(address: str) -> None:
    config = StreamsConfig(stream_manager="memory", connection_str=address,
                           settings={"claim_idle_ms": 1000, "max_deliveries": 1, "max_len": 4})
    manager = await MemoryStreamManager(address=address, config=config).connect()
    clock = FakeClock()
    manager.clock = clock.now
    try:
        assert await manager.group_stats(stream_name=STREAM, consumer_group=GROUP) is None  # no such group yet
        await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
        await write(manager, *[Plain(value=i) for i in range(3)])
        assert await manager.group_stats(stream_name=STREAM, consumer_group=GROUP) == StreamGroupStats(0, 3, 0)
        first = events(await read(manager, batch_size=2))
        assert await manager.group_stats(stream_name=STREAM, consumer_group=GROUP) == StreamGroupStats(2, 1, 0)
        await ack(manager, first[1:])  # the first one failed: left pending
        assert await manager.group_stats(stream_name=STREAM, consumer_group=GROUP) == StreamGroupStats(1, 1, 0)
        await write(manager, *[Plain(value=i) for i in range(3, 8)])  # max_len 4 trims what the group did not read
        assert await manager.group_stats(stream_name=STREAM, consumer_group=GROUP) == StreamGroupStats(1, 4, 0)
        clock.advance(1.0)
        logging.getLogger("hopeit.streams").disabled = True  # the dead-letter warning is not this test's
        try:
            await read(manager, batch_size=1)  # the failed one, past max_deliveries: dead-lettered
        finally:
            logging.getLogger("hopeit.streams").disabled = False
        stats = await manager.group_stats(stream_name=STREAM, consumer_group=GROUP)
        assert stats is not None and stats.dead_lettered == 1 and stats.lag == 3
        await manager.close()
        assert await manager.group_stats(stream_name=STREAM, consumer_group=GROUP) == stats  # closed: still told
    finally:
        await manager.close()


@pytest.mark.parametrize("stream", [STREAM, "no-such-stream"])
async def test_unknown_group_or_stream_is_none(address: str, stream: str) -> None:
    manager = await MemoryStreamManager(address=address).connect()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    assert await manager.group_stats(stream_name=stream, consumer_group="other") is None
    await manager.close()
