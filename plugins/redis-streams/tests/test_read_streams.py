"""Several streams of one consumer group read with one XREADGROUP (``read_streams``, issue #19), on a real Redis."""

import asyncio
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List, Tuple

import pytest
import redis.asyncio as aioredis
from hopeit.app.config import Compression, Serialization
from hopeit.contracts.settings import LoggingConfig, ServerConfig, StreamsConfig
from hopeit.redis_streams import RedisStreamManager
from hopeit.server.engine import AppEngine
from hopeit.streams import MessageRefusedError, StreamEvent, StreamItem
from hopeit.testing.apps import config
from hopeit.testing.redis import RedisServer
from hopeit.testing.waiting import wait_until
from redis_streams_e2e import Item
from redis_streams_e2e.events import consume
from redis_streams_support import (
    AUTH_INFO,
    DATATYPES,
    TRACK_HEADERS,
    TRACK_IDS,
    ManagerFactory,
    blocked_clients,
    eventually,
    publish,
    reader_blocked,
    something,
)

#: long enough that a read ending well within it shows it did not wait it out
LONG_MS = 5000


@pytest.fixture
def streams(stream_name: str) -> Tuple[str, str]:
    """The streams of an event reading queues AUTO and ``high``."""
    return stream_name, f"{stream_name}.high"


async def read_all(
    manager: RedisStreamManager, names: Tuple[str, ...], *, batch_size: int = 100, timeout: int = 100,
    offset: str = ">",
) -> List[StreamItem]:
    return await manager.read_streams(
        stream_names=list(names), consumer_group="g", datatypes=DATATYPES, track_headers=TRACK_HEADERS,
        offset=offset, batch_size=batch_size, timeout=timeout, batch_interval=5000,
    )


def values(items: List[StreamItem]) -> List[Tuple[str, int]]:
    """``(stream, payload value)`` of each item, all of which must be events."""
    assert all(isinstance(item, StreamEvent) for _, item in items), items
    return [(name, item.payload.value) for name, item in items if isinstance(item, StreamEvent)]


async def groups(manager: RedisStreamManager, names: Tuple[str, ...]) -> None:
    for name in names:
        await manager.ensure_consumer_group(stream_name=name, consumer_group="g")


async def xreadgroup_calls(raw: "aioredis.Redis") -> int:
    stats: Dict[str, Any] = await raw.info("commandstats")
    return int(stats.get("cmdstat_xreadgroup", {}).get("calls", 0))


async def test_one_xreadgroup_reads_every_stream(
    make_manager: ManagerFactory, raw: "aioredis.Redis", streams: Tuple[str, str]
) -> None:
    """Once the own pending lists were looked at, a read of two streams is one XREADGROUP; items come
    with their stream, the streams in the order named, up to ``batch_size`` from each."""
    first, second = streams
    manager = await make_manager(consumer_name="c")
    await groups(manager, streams)
    assert await read_all(manager, streams, timeout=10) == []  # the start-up look at own pending lists
    await publish(manager, second, [something(i) for i in range(3)], queue="high")
    await publish(manager, first, [something(10 + i) for i in range(3)])
    before = await xreadgroup_calls(raw)
    assert values(await read_all(manager, streams, batch_size=2)) == [
        (first, 10), (first, 11), (second, 0), (second, 1)
    ]
    assert await xreadgroup_calls(raw) == before + 1
    assert values(await read_all(manager, streams)) == [(first, 12), (second, 2)]
    assert [(await raw.xpending(name, "g"))["pending"] for name in streams] == [3, 3]


async def test_an_idle_read_ends_with_a_message_on_the_second_stream(
    make_manager: ManagerFactory, raw: "aioredis.Redis", streams: Tuple[str, str]
) -> None:
    """A read waiting on both streams returns as soon as the second one gets a message."""
    _, second = streams
    reader, writer = await make_manager(consumer_name="reader"), await make_manager()
    await groups(reader, streams)
    assert await read_all(reader, streams, timeout=10) == []
    before = await blocked_clients(raw)
    reading = asyncio.ensure_future(read_all(reader, streams, timeout=LONG_MS))
    await reader_blocked(raw, before)
    await publish(writer, second, [something(7)], queue="high")
    assert values(await asyncio.wait_for(reading, LONG_MS / 2000)) == [(second, 7)]


async def test_acks_go_to_each_stream(
    make_manager: ManagerFactory, raw: "aioredis.Redis", streams: Tuple[str, str]
) -> None:
    """Each message is acknowledged on the stream it was read from; the other stays pending."""
    first, second = streams
    manager = await make_manager(consumer_name="c")
    await groups(manager, streams)
    await publish(manager, first, [something(1)])
    await publish(manager, second, [something(2)], queue="high")
    items = await read_all(manager, streams)
    on_second = [item for name, item in items if name == second and isinstance(item, StreamEvent)]
    assert await manager.ack_read_stream_batch(stream_name=second, consumer_group="g", stream_events=on_second) == 1
    assert (await raw.xpending(first, "g"))["pending"] == 1
    assert (await raw.xpending(second, "g"))["pending"] == 0


async def test_undecodable_stays_pending_and_refused_is_dead_lettered_on_its_stream(
    make_manager: ManagerFactory, raw: "aioredis.Redis", streams: Tuple[str, str]
) -> None:
    """An unknown type comes back as an error item of its stream and stays pending there; a pickle the
    stream does not allow is dead-lettered from its own stream; the good message beside them is read."""
    first, second = streams
    manager = await make_manager(consumer_name="c")
    await groups(manager, streams)
    await raw.xadd(second, {"type": "gone.Type", "payload": b"?", "ser": "json", "comp": "none"})
    await manager.write_stream(
        stream_name=first, queue="AUTO", payload=something(1), track_ids=TRACK_IDS, auth_info=AUTH_INFO,
        compression=Compression.NONE, serialization=Serialization.PICKLE4,
    )
    await publish(manager, first, [something(2)])
    items = await read_all(manager, streams)
    assert [(name, type(item).__name__) for name, item in items] == [
        (first, "MessageRefusedError"), (first, "StreamEvent"), (second, "TypeError")
    ]
    refused = items[0][1]
    assert isinstance(refused, MessageRefusedError) and f"{first}.dlq" in str(refused)
    assert await raw.xlen(first + ".dlq") == 1 and await raw.xlen(second + ".dlq") == 0
    assert (await raw.xpending(second, "g"))["pending"] == 1
    assert (await raw.xpending(first, "g"))["pending"] == 1  # the good one, until acknowledged


async def test_own_pending_of_every_stream_come_first_after_a_restart(
    make_manager: ManagerFactory, streams: Tuple[str, str]
) -> None:
    """A restarted consumer reads its pending messages of each stream again, then new ones of both."""
    first, second = streams
    before = await make_manager(consumer_name="worker.0")
    await groups(before, streams)
    await publish(before, first, [something(1)])
    await publish(before, second, [something(2)], queue="high")
    assert len(await read_all(before, streams)) == 2
    await before.close()  # dies without acknowledging
    after = await make_manager(consumer_name="worker.0")
    assert values(await read_all(after, streams, timeout=LONG_MS)) == [(first, 1), (second, 2)]
    await publish(after, second, [something(3)], queue="high")
    assert values(await read_all(after, streams)) == [(second, 3)]


async def test_redelivered_messages_do_not_hold_back_new_ones_of_the_other_stream(
    make_manager: ManagerFactory, streams: Tuple[str, str]
) -> None:
    """Messages reclaimed from a dead consumer on one stream come with the new messages of the other."""
    first, second = streams
    dead = await make_manager(consumer_name="dead")
    alive = await make_manager(consumer_name="alive", claim_idle_ms=100, claim_interval_ms=20)
    await groups(dead, streams)
    await publish(dead, first, [something(1)])
    assert len(await read_all(dead, streams)) == 1  # never acknowledged
    assert await read_all(alive, streams, timeout=10) == []
    await publish(alive, second, [something(2)], queue="high")
    seen: List[Tuple[str, int]] = []

    async def both() -> bool:
        items = await read_all(alive, streams, timeout=20)
        for name, item in items:  # acknowledged, or they would be claimed again after claim_idle_ms
            assert isinstance(item, StreamEvent)
            await alive.ack_read_stream(stream_name=name, consumer_group="g", stream_event=item)
        seen.extend(values(items))
        return (first, 1) in seen and (second, 2) in seen

    await eventually(both)
    assert sorted(seen) == [(first, 1), (second, 2)]


async def test_missing_groups_are_created_again(
    make_manager: ManagerFactory, raw: "aioredis.Redis", streams: Tuple[str, str]
) -> None:
    """A stream deleted under the reader (Redis restarted without persistence) gets its group back."""
    _, second = streams
    manager = await make_manager()
    await groups(manager, streams)
    await raw.delete(second)
    assert await read_all(manager, streams, timeout=20) == []
    await publish(manager, second, [something(5)], queue="high")
    assert values(await read_all(manager, streams)) == [(second, 5)]


async def test_explicit_offset_reads_own_history_of_each_stream(
    make_manager: ManagerFactory, streams: Tuple[str, str]
) -> None:
    """An id offset re-reads this consumer's pending messages of every stream."""
    first, second = streams
    manager = await make_manager()
    await groups(manager, streams)
    await publish(manager, first, [something(1)])
    await publish(manager, second, [something(2)], queue="high")
    await read_all(manager, streams)
    assert values(await read_all(manager, streams, offset="0")) == [(first, 1), (second, 2)]


# -- through the engine: an event reading two queues -------------------------------------------------

CONFIG = Path(__file__).parent / "redis_streams_e2e" / "config.json"


@pytest.fixture
async def engine(redis_server: RedisServer, tmp_path: Path) -> AsyncIterator[AppEngine]:
    app_config = config(CONFIG)
    app_config.engine.read_stream_timeout = LONG_MS
    app_config.server = ServerConfig(
        streams=StreamsConfig(stream_manager="redis", connection_str=redis_server.url, delay_auto_start_seconds=0),
        logging=LoggingConfig(log_level="INFO", log_path=f"{tmp_path}/"),
    )
    client = aioredis.Redis.from_url(redis_server.url)
    await client.flushall()
    await client.aclose()
    consume.SEEN.clear()
    app_engine = await AppEngine(app_config=app_config, plugins=[], enabled_groups=[]).start()
    yield app_engine
    await app_engine.stop()


async def write_item(engine: AppEngine, index: int, queue: str) -> None:
    stream = engine.effective_events["consume_queues"].read_stream
    assert stream is not None and engine.stream_manager is not None
    await engine.stream_manager.write_stream(
        stream_name=stream.name if queue == "AUTO" else f"{stream.name}.{queue}", queue=queue,
        payload=Item(id=f"item-{index}", index=index), track_ids=TRACK_IDS, auth_info=AUTH_INFO,
        compression=Compression.NONE, serialization=Serialization.JSON_UTF8,
    )


async def test_idle_event_takes_a_message_on_its_second_queue_at_once(
    engine: AppEngine, raw: "aioredis.Redis"
) -> None:
    """With the read loop waiting on both queues of its event, a message on the second one is processed
    and acknowledged well before the read timeout would have ended."""
    stream = engine.effective_events["consume_queues"].read_stream
    assert stream is not None
    before = await blocked_clients(raw)
    reading = asyncio.ensure_future(engine.read_stream(event_name="consume_queues", wait_start=False))
    try:
        await reader_blocked(raw, before)
        await write_item(engine, 1, "high")
        await wait_until(lambda: consume.SEEN == {1: 1}, timeout=LONG_MS / 2000, what="item 1 of queue high")

        async def acked() -> bool:
            return int((await raw.xpending(f"{stream.name}.high", stream.consumer_group))["pending"]) == 0

        await wait_until(acked, timeout=LONG_MS / 2000)
        assert not reading.done()
    finally:
        await engine.stop_event("consume_queues")
        reading.cancel()
        await asyncio.gather(reading, return_exceptions=True)


async def test_every_message_of_both_queues_is_consumed_once(engine: AppEngine, raw: "aioredis.Redis") -> None:
    """More than a batch on each queue: each message is processed once and acknowledged on its stream."""
    stream = engine.effective_events["consume_queues"].read_stream
    assert stream is not None
    for index in range(60):  # the event reads batches of 50 per queue
        await write_item(engine, index, "AUTO" if index % 2 else "high")
    await engine.read_stream(event_name="consume_queues", max_events=60, wait_start=False)
    assert consume.SEEN == {index: 1 for index in range(60)}
    for name in (stream.name, f"{stream.name}.high"):
        assert (await raw.xpending(name, stream.consumer_group))["pending"] == 0
