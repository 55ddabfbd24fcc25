import asyncio
import time
from datetime import datetime
from typing import List

import pytest
import redis.asyncio as aioredis
from hopeit.app.config import Compression, Serialization
from redis_streams_support import (
    AUTH_INFO,
    DATATYPES,
    TRACK_HEADERS,
    TRACK_IDS,
    Info,
    ManagerFactory,
    Minimal,
    Nested,
    Something,
    blocked_clients,
    publish,
    read,
    read_events,
    reader_blocked,
    something,
)


@pytest.mark.parametrize("serialization", list(Serialization))
@pytest.mark.parametrize("compression", list(Compression))
async def test_round_trip_every_payload_type(
    make_manager: ManagerFactory, stream_name: str, compression: Compression, serialization: Serialization
) -> None:
    manager = await make_manager()
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    # pickle reads only where the config allows it (test_refused_messages): here as the reading event would
    manager.allow_serializations(stream_name=stream_name, consumer_group="g", serializations=[serialization])
    payloads = [something(1), Minimal(value="x"), Nested(info=Info(key="k1", when="2024-05-06"), blob="é" * 300)]
    await publish(manager, stream_name, payloads, compression=compression, serialization=serialization)
    events = await read_events(manager, stream_name, "g")  # all events: no read errors
    assert [e.payload for e in events] == payloads
    first, second, third = events
    assert first.track_ids["stream.event_id"] == "id-1"
    assert first.track_ids["stream.event_ts"] == "2024-01-02T03:04:05+00:00"
    assert second.track_ids["stream.event_ts"] == "" and len(second.track_ids["stream.event_id"]) == 36
    assert third.track_ids["stream.event_id"] == "k1" and third.track_ids["stream.event_ts"] == "2024-05-06"
    for event in events:
        assert event.queue == "AUTO" and event.auth_info == AUTH_INFO
        assert {k: event.track_ids[k] for k in TRACK_HEADERS} == {k: TRACK_IDS[k] for k in TRACK_HEADERS}
        assert await manager.ack_read_stream(stream_name=stream_name, consumer_group="g", stream_event=event) == 1


async def test_batch_write_in_order(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    manager = await make_manager()
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    written = await manager.write_stream_batch(
        stream_name=stream_name,
        queue="AUTO",
        payloads=[something(i) for i in range(1000)],
        track_ids=TRACK_IDS,
        auth_info=AUTH_INFO,
        compression=Compression.LZ4,
        serialization=Serialization.JSON_BASE64,
    )
    assert written == 1000 and await raw.xlen(stream_name) == 1000
    values: List[int] = []
    while len(values) < 1000:
        events = await read_events(manager, stream_name, "g", batch_size=300)
        values.extend(e.payload.value for e in events)
    assert values == list(range(1000))
    assert await manager.write_stream_batch(
        stream_name=stream_name, queue="AUTO", payloads=[], track_ids={}, auth_info={},
        compression=Compression.NONE, serialization=Serialization.JSON_UTF8,
    ) == 0


async def test_concurrent_writes_share_round_trips(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    manager = await make_manager()
    before = (await raw.info("stats"))["total_commands_processed"]
    results = await asyncio.gather(*(publish(manager, stream_name, [something(i)]) for i in range(200)))
    assert len(results) == 200 and await raw.xlen(stream_name) == 200
    commands = (await raw.info("stats"))["total_commands_processed"] - before
    assert commands < 215  # 200 XADD + a few INFO/XLEN: no per-write connection setup


async def test_target_max_len_trims_approximately(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    manager = await make_manager()
    for _ in range(10):
        await manager.write_stream_batch(
            stream_name=stream_name, queue="AUTO", payloads=[Minimal(value=str(i)) for i in range(500)],
            track_ids=TRACK_IDS, auth_info=AUTH_INFO, compression=Compression.NONE,
            serialization=Serialization.JSON_UTF8, target_max_len=100,
        )
    await manager.write_stream(
        stream_name=stream_name, queue="AUTO", payload=Minimal(value="last"), track_ids=TRACK_IDS,
        auth_info=AUTH_INFO, compression=Compression.NONE, serialization=Serialization.JSON_UTF8, target_max_len=100,
    )
    assert 100 <= await raw.xlen(stream_name) < 500


async def test_only_dataobjects_are_published(make_manager: ManagerFactory, stream_name: str) -> None:
    manager = await make_manager()
    with pytest.raises(NotImplementedError, match="only @dataobject"):
        await publish(manager, stream_name, ["plain string"])


async def test_consumer_groups_each_see_every_message(make_manager: ManagerFactory, stream_name: str) -> None:
    manager = await make_manager()
    for group in ("g1", "g2"):
        await manager.ensure_consumer_group(stream_name=stream_name, consumer_group=group)
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g1")  # exists: no-op
    await publish(manager, stream_name, [something(i) for i in range(5)])
    for group in ("g1", "g2"):
        events = await read_events(manager, stream_name, group)
        assert [e.payload.value for e in events] == list(range(5))
        assert {e.track_ids["stream.consumer_group"] for e in events} == {group}


async def test_group_reads_messages_written_before_it_existed(make_manager: ManagerFactory, stream_name: str) -> None:
    manager = await make_manager()
    await publish(manager, stream_name, [something(1)])
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="late")
    assert [e.payload.value for e in await read_events(manager, stream_name, "late")] == [1]


async def test_consumers_of_one_group_share_messages(make_manager: ManagerFactory, stream_name: str) -> None:
    one = await make_manager(consumer_name="one")
    two = await make_manager(consumer_name="two")
    await one.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    await publish(one, stream_name, [something(i) for i in range(40)])
    first = await read_events(one, stream_name, "g", batch_size=15)
    second = await read_events(two, stream_name, "g", batch_size=100)
    assert len(first) == 15 and len(second) == 25
    assert sorted(e.payload.value for e in first + second) == list(range(40))


async def test_queues_travel_in_the_message(make_manager: ManagerFactory, stream_name: str) -> None:
    manager = await make_manager()
    queue_stream = f"{stream_name}.custom"
    await manager.ensure_consumer_group(stream_name=queue_stream, consumer_group="g")
    await publish(manager, queue_stream, [something(1)], queue="custom")
    await publish(manager, queue_stream, [something(2)], queue="original")
    events = await read_events(manager, queue_stream, "g")
    assert [(e.queue, e.track_ids["stream.name"]) for e in events] == [
        ("custom", queue_stream), ("original", queue_stream)
    ]


async def test_ack_only_what_is_pending(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    manager = await make_manager()
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    await publish(manager, stream_name, [something(i) for i in range(3)])
    events = await read_events(manager, stream_name, "g")
    assert (await raw.xpending(stream_name, "g"))["pending"] == 3
    acks = await asyncio.gather(
        *(manager.ack_read_stream(stream_name=stream_name, consumer_group="g", stream_event=e) for e in events)
    )
    assert acks == [1, 1, 1]
    assert (await raw.xpending(stream_name, "g"))["pending"] == 0
    assert await manager.ack_read_stream(stream_name=stream_name, consumer_group="g", stream_event=events[0]) == 0


async def test_batch_ack_is_one_xack_counting_what_was_pending(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    manager = await make_manager()
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    await publish(manager, stream_name, [something(i) for i in range(3)])
    first, second, third = await read_events(manager, stream_name, "g")
    before = (await raw.info("commandstats")).get("cmdstat_xack", {}).get("calls", 0)
    acked = await manager.ack_read_stream_batch(
        stream_name=stream_name, consumer_group="g", stream_events=[first, second, first]
    )
    assert acked == 2
    assert (await raw.info("commandstats"))["cmdstat_xack"]["calls"] == before + 1
    assert [p["message_id"] for p in await raw.xpending_range(stream_name, "g", "-", "+", 10)] == [
        third.msg_internal_id
    ]
    assert await manager.ack_read_stream_batch(stream_name=stream_name, consumer_group="g", stream_events=[]) == 0


async def test_empty_read_waits_timeout_without_sleeping_batch_interval(
    make_manager: ManagerFactory, stream_name: str
) -> None:
    manager = await make_manager()
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    start = time.monotonic()
    assert await read(manager, stream_name, "g", timeout=200) == []  # batch_interval is 5000 ms
    assert 0.15 < time.monotonic() - start < 1.0


async def test_message_on_idle_stream_is_picked_up_within_10ms(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    reader = await make_manager(consumer_name="reader")
    writer = await make_manager()
    await reader.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    delays: List[float] = []
    for i in range(5):
        before = await blocked_clients(raw)
        waiting = asyncio.ensure_future(read_events(reader, stream_name, "g", timeout=5000))
        await reader_blocked(raw, before)  # the reader is blocked on an idle stream
        assert not waiting.done()
        sent = time.monotonic()
        await publish(writer, stream_name, [something(i)])
        events = await waiting
        delays.append(time.monotonic() - sent)
        assert [e.payload.value for e in events] == [i]
    assert sorted(delays)[2] < 0.010, delays  # median from XADD reply to read reply


async def test_read_ts_and_new_operation_id(make_manager: ManagerFactory, stream_name: str) -> None:
    manager = await make_manager()
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    await publish(manager, stream_name, [something(1)])
    (event,) = await read_events(manager, stream_name, "g")
    assert event.track_ids["track.operation_id"] not in ("", TRACK_IDS["track.operation_id"])
    assert datetime.fromisoformat(event.track_ids["stream.read_ts"]) >= datetime.fromisoformat(
        event.track_ids["stream.submit_ts"]
    )
    assert DATATYPES and isinstance(event.payload, Something)


async def test_timeout_zero_waits_for_the_next_message(make_manager: ManagerFactory, stream_name: str) -> None:
    reader = await make_manager(consumer_name="reader", socket_timeout=0.2)
    await reader.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    waiting = asyncio.ensure_future(read_events(reader, stream_name, "g", timeout=0))
    await asyncio.sleep(0.6)  # longer than socket_timeout: a blocking read is not a stalled one
    assert not waiting.done()
    await publish(reader, stream_name, [something(3)])
    assert [e.payload.value for e in await asyncio.wait_for(waiting, 5)] == [3]
