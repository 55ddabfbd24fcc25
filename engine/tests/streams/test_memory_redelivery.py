"""At least once in the in-process manager: messages left pending are delivered again, then dead-lettered."""

import logging
from typing import Any, AsyncIterator, Awaitable, Callable, List, Tuple

import pytest
from hopeit.contracts.settings import StreamsConfig
from hopeit.streams import StreamConfigError
from hopeit.streams.memory import MemoryStreamManager

from .fake_clock import FakeClock
from .memory_support import GROUP, STREAM, ack, events, read, values, write
from .payloads import Plain

IDLE_S = 60.0

Factory = Callable[..., Awaitable[Tuple[MemoryStreamManager, FakeClock]]]


@pytest.fixture
async def make(address: str) -> AsyncIterator[Factory]:
    """Connected managers at ``address`` with ``settings``, each on a fake clock shared by all of them."""
    clock = FakeClock()
    created: List[MemoryStreamManager] = []

    async def factory(**settings: Any) -> Tuple[MemoryStreamManager, FakeClock]:
        config = StreamsConfig(stream_manager="memory", connection_str=address,
                               settings={"claim_idle_ms": int(IDLE_S * 1000), **settings})
        manager = await MemoryStreamManager(address=address, config=config).connect()
        manager.clock = clock.now
        created.append(manager)
        return manager, clock

    yield factory
    for manager in created:
        await manager.close()


async def test_a_message_left_pending_is_delivered_again_after_claim_idle(make: Factory) -> None:
    manager, clock = await make()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    await write(manager, Plain(value=1), Plain(value=2))
    first = await read(manager)
    await ack(manager, first[1:])  # 1 failed: not acknowledged
    assert values(await read(manager)) == []
    clock.advance(IDLE_S - 0.001)
    assert values(await read(manager)) == []  # not idle long enough yet
    clock.advance(0.001)
    await write(manager, Plain(value=3))
    again = await read(manager)
    assert values(again) == [1]  # delivered again before new messages
    assert [p.delivery_count for p in manager.pending(STREAM, GROUP)] == [2]
    assert values(await read(manager)) == [3]
    await ack(manager, again)
    assert manager.stats()["reclaimed"] == {STREAM: 1}


async def test_another_consumer_of_the_group_takes_over_what_one_left(make: Factory) -> None:
    crashed, clock = await make()
    live, _ = await make()
    await crashed.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    await write(crashed, *[Plain(value=i) for i in range(3)])
    assert values(await read(crashed)) == [0, 1, 2]
    clock.advance(IDLE_S)
    taken = await read(live, batch_size=2)
    assert values(taken) == [0, 1]
    assert [(p.consumer, p.delivery_count) for p in live.pending(STREAM, GROUP)] == [
        (live.consumer_id, 2), (live.consumer_id, 2), (crashed.consumer_id, 1),
    ]
    assert values(await read(live)) == [2]


async def test_past_max_deliveries_a_message_is_dead_lettered_with_its_last_error(
    make: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    manager, clock = await make(max_deliveries=2)
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    await write(manager, Plain(value=7))
    for _ in range(2):
        [event] = events(await read(manager))
        failures = [(event, ValueError("cannot process 7"))]
        await manager.record_failures(stream_name=STREAM, consumer_group=GROUP, failures=failures)
        clock.advance(IDLE_S)
    with caplog.at_level(logging.WARNING, logger="hopeit.streams"):
        assert await read(manager) == []  # the third delivery: dead-lettered instead
    assert manager.pending(STREAM, GROUP) == []
    [dead] = manager.dead_letters(STREAM)
    assert dead["dlq.deliveries"] == "3" and dead["dlq.error"] == "ValueError: cannot process 7"
    assert dead["dlq.reason"] == "delivered 3 times without being acknowledged (max_deliveries=2)"
    assert dead["dlq.stream"] == STREAM and dead["dlq.consumer_group"] == GROUP
    assert manager.stats()["dead_lettered"] == {STREAM: 1}
    assert "Dead-lettered message" in caplog.text and "last error: ValueError: cannot process 7" in caplog.text


async def test_max_deliveries_zero_never_dead_letters(make: Factory) -> None:
    manager, clock = await make(max_deliveries=0)
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    await write(manager, Plain(value=1))
    for _ in range(10):
        assert values(await read(manager)) == [1]
        clock.advance(IDLE_S)
    assert manager.dead_letters(STREAM) == []


@pytest.mark.parametrize("settings", [{"claim_idle_ms": 0}, {"max_deliveries": -1}, {"claim_idle_ms": "soon"},
                                      {"max_len": True}])
def test_invalid_settings_are_refused(address: str, settings: Any) -> None:
    config = StreamsConfig(stream_manager="memory", connection_str=address, settings=settings)
    [name] = settings
    with pytest.raises(StreamConfigError, match=f"streams.settings.{name} of the memory stream manager"):
        MemoryStreamManager(address=address, config=config)
