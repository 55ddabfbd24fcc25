"""Nothing read is lost: own pending after restart, reclaim from dead consumers, dead letters."""

import logging
import typing
from collections import Counter
from typing import Any, Dict, List, Sequence, Union

import pytest
import redis.asyncio as aioredis
from hopeit.streams import StreamEvent, StreamManager
from redis_streams_support import (
    DATATYPES,
    TRACK_HEADERS,
    ManagerFactory,
    Something,
    events_of,
    eventually,
    publish,
    read,
    read_events,
    something,
)

FAST: Dict[str, Any] = {"claim_idle_ms": 300, "claim_interval_ms": 50}


async def ack_all(
    manager: StreamManager, stream_name: str, group: str, events: Sequence[Union[StreamEvent, Exception]]
) -> None:
    for event in events:
        if isinstance(event, StreamEvent):
            await manager.ack_read_stream(stream_name=stream_name, consumer_group=group, stream_event=event)


async def test_restart_takes_own_pending_messages_first(make_manager: ManagerFactory, stream_name: str) -> None:
    before = await make_manager(consumer_name="worker.0")
    await before.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    await publish(before, stream_name, [something(i) for i in range(10)])
    crashed = await read_events(before, stream_name, "g", batch_size=5)
    assert [e.payload.value for e in crashed] == [0, 1, 2, 3, 4]
    await before.close()  # dies without acknowledging

    after = await make_manager(consumer_name="worker.0")  # the restarted process, same slot
    pending = await read_events(after, stream_name, "g", batch_size=3, timeout=5000)
    assert [e.payload.value for e in pending] == [0, 1, 2]
    await ack_all(after, stream_name, "g", pending)
    pending = await read_events(after, stream_name, "g", batch_size=3)
    assert [e.payload.value for e in pending] == [3, 4]  # own pending list first, without waiting for idle time
    await ack_all(after, stream_name, "g", pending)
    fresh = await read_events(after, stream_name, "g", batch_size=100)
    assert [e.payload.value for e in fresh] == [5, 6, 7, 8, 9]


async def test_dead_consumer_messages_are_reclaimed_and_processed_exactly_once_more(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    dead = await make_manager(consumer_name="dead")
    await dead.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    await publish(dead, stream_name, [something(i) for i in range(10)])
    in_flight = await read(dead, stream_name, "g", batch_size=10)
    assert len(in_flight) == 10
    await dead.close()  # killed mid-batch

    live = await make_manager(consumer_name="live", **FAST)
    await publish(live, stream_name, [something(i) for i in range(10, 30)])
    processed: typing.Counter[int] = Counter()

    async def consume_until_done() -> bool:
        events = await read_events(live, stream_name, "g", batch_size=7, timeout=50)
        processed.update(e.payload.value for e in events)
        await ack_all(live, stream_name, "g", events)
        return len(processed) == 30

    await eventually(consume_until_done)
    for _ in range(10):  # nothing more comes, even after further claim rounds
        assert await read(live, stream_name, "g", timeout=50) == []
    assert processed == Counter(range(30))
    assert live.stats()["reclaimed"] == {stream_name: 10}
    assert (await raw.xpending(stream_name, "g"))["pending"] == 0


async def test_poison_message_is_dead_lettered_while_others_flow(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    manager = await make_manager(consumer_name="c", max_deliveries=3, **FAST)
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    await publish(manager, stream_name, [something(0)])
    await publish(manager, stream_name, [something(i) for i in range(1, 21)])
    seen: typing.Counter[int] = Counter()
    dlq = stream_name + ".dlq"

    async def consume() -> bool:
        events = await read_events(manager, stream_name, "g", batch_size=5, timeout=50)
        for event in events:
            seen[event.payload.value] += 1
            if event.payload.value != 0:  # the poison message always fails: never acked
                await manager.ack_read_stream(stream_name=stream_name, consumer_group="g", stream_event=event)
        length: int = await raw.xlen(dlq)
        return length == 1

    with caplog.at_level(logging.WARNING, logger="hopeit.redis_streams"):
        await eventually(consume)
    assert seen[0] == 3  # delivered max_deliveries times, then dead-lettered when seen the 4th time
    assert all(seen[i] == 1 for i in range(1, 21))
    assert (await raw.xpending(stream_name, "g"))["pending"] == 0
    assert manager.stats()["dead_lettered"] == {stream_name: 1}
    ((_, fields),) = await raw.xrange(dlq)
    assert fields[b"id"] == b"id-0" and fields[b"type"] == b"redis_streams_support.Something"
    assert fields[b"dlq.stream"] == stream_name.encode() and fields[b"dlq.consumer_group"] == b"g"
    assert fields[b"dlq.deliveries"] == b"4" and fields[b"dlq.consumer"] == b"c"
    assert b"without being acknowledged (max_deliveries=3)" in fields[b"dlq.reason"]
    assert b"FAILED" in fields[b"dlq.error"]
    assert any("Dead-lettered message" in r.getMessage() and dlq in r.getMessage() for r in caplog.records)

    # dead letters are ordinary messages: inspect or replay them with the same manager
    await manager.ensure_consumer_group(stream_name=dlq, consumer_group="inspect")
    (dead,) = await read_events(manager, dlq, "inspect")
    assert isinstance(dead.payload, Something) and dead.payload.value == 0
    for _ in range(5):  # the stream keeps flowing
        await publish(manager, stream_name, [something(99)])
        events = await read_events(manager, stream_name, "g", timeout=500)
        assert [e.payload.value for e in events] == [99]
        await ack_all(manager, stream_name, "g", events)


async def test_unreadable_message_is_dead_lettered_with_its_error(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    manager = await make_manager(consumer_name="c", max_deliveries=2, claim_idle_ms=100, claim_interval_ms=20)
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    await raw.xadd(stream_name, {"type": "gone.Type", "payload": b"?", "ser": "json", "comp": "none"})
    errors: List[Union[StreamEvent, Exception]] = []

    async def consume() -> bool:
        errors.extend(await read(manager, stream_name, "g", timeout=50))
        length: int = await raw.xlen(stream_name + ".dlq")
        return length == 1

    await eventually(consume)
    assert len(errors) == 2 and all(isinstance(e, TypeError) for e in errors)
    ((_, fields),) = await raw.xrange(stream_name + ".dlq")
    assert fields[b"dlq.error"].startswith(b"TypeError: Stream message") and b"gone.Type" in fields[b"dlq.error"]


async def test_dead_letter_suffix_and_disabled(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    manager = await make_manager(consumer_name="c", max_deliveries=1, dead_letter_suffix=":dead", **FAST)
    never = await make_manager(consumer_name="n", max_deliveries=0, **FAST)
    for group in ("g", "h"):
        await manager.ensure_consumer_group(stream_name=stream_name, consumer_group=group)
    await publish(manager, stream_name, [something(1)])

    async def dead_lettered() -> bool:
        await read(manager, stream_name, "g", timeout=20)
        length: int = await raw.xlen(stream_name + ":dead")
        return length == 1

    await eventually(dead_lettered)
    deliveries: List[Union[StreamEvent, Exception]] = []

    async def delivered_three_times() -> bool:  # each after claim_idle_ms, by Redis's clock
        deliveries.extend(await read(never, stream_name, "h", timeout=20))
        return len(deliveries) >= 3

    await eventually(delivered_three_times)
    assert all(isinstance(item, StreamEvent) for item in deliveries)
    assert await raw.xlen(stream_name + ":dead") == 1


async def test_pending_messages_trimmed_away_are_dropped(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    before = await make_manager(consumer_name="t")
    await before.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    await publish(before, stream_name, [something(i) for i in range(3)])
    assert len(await read(before, stream_name, "g")) == 3
    await raw.xtrim(stream_name, maxlen=0, approximate=False)
    after = await make_manager(consumer_name="t")
    assert await read(after, stream_name, "g", timeout=50) == []
    assert (await raw.xpending(stream_name, "g"))["pending"] == 0


async def test_missing_group_is_recreated(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    manager = await make_manager()
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    await raw.delete(stream_name)  # e.g. Redis restarted without persistence
    assert await read(manager, stream_name, "g", timeout=50) == []
    await publish(manager, stream_name, [something(5)])
    assert [e.payload.value for e in await read_events(manager, stream_name, "g")] == [5]


async def test_explicit_offset_reads_own_history(make_manager: ManagerFactory, stream_name: str) -> None:
    manager = await make_manager()
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    await publish(manager, stream_name, [something(1)])
    first = await read_events(manager, stream_name, "g")
    again = events_of(await manager.read_stream(
        stream_name=stream_name, consumer_group="g", datatypes=DATATYPES, track_headers=TRACK_HEADERS,
        offset="0", batch_size=10, timeout=10, batch_interval=10,
    ))
    assert [e.msg_internal_id for e in again] == [e.msg_internal_id for e in first]


async def test_reclaimed_messages_trimmed_away_are_dropped(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    dead = await make_manager(consumer_name="dead")
    await dead.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    await publish(dead, stream_name, [something(i) for i in range(3)])
    assert len(await read(dead, stream_name, "g")) == 3
    await raw.xtrim(stream_name, maxlen=1, approximate=False)  # two of the three pending entries no longer exist
    live = await make_manager(consumer_name="live", **FAST)
    seen: List[int] = []

    async def settled() -> bool:
        events = await read_events(live, stream_name, "g", timeout=20)
        seen.extend(e.payload.value for e in events)
        await ack_all(live, stream_name, "g", events)
        pending: int = (await raw.xpending(stream_name, "g"))["pending"]
        return pending == 0

    await eventually(settled)
    assert seen == [2]


async def gone_consumer(manager: StreamManager, raw: "aioredis.Redis", stream_name: str) -> None:
    """Consumer ``gone`` of group ``g``: it read a message and acknowledged it, then went away."""
    await publish(manager, stream_name, [something(1)])
    [[_, [(msg_id, _)]]] = await raw.xreadgroup("g", "gone", {stream_name: ">"}, count=1)
    await raw.xack(stream_name, "g", msg_id)


async def test_consumers_gone_idle_with_nothing_pending_are_forgotten(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Names of consumers that went away are removed from the group; those with pending messages stay."""
    live = await make_manager(consumer_name="live", claim_idle_ms=60_000, claim_interval_ms=50,
                              forget_consumers_idle_ms=100)
    await live.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    await gone_consumer(live, raw, stream_name)
    await publish(live, stream_name, [something(2)])
    await raw.xreadgroup("g", "holding", {stream_name: ">"}, count=1)  # keeps one message pending

    async def gone_idle_long_enough() -> bool:  # by Redis's clock, which the forgetting goes by
        idle = {info["name"].decode(): info["idle"] for info in await raw.xinfo_consumers(stream_name, "g")}
        return bool(idle["gone"] > 100)

    await eventually(gone_idle_long_enough)

    async def consumers() -> List[str]:
        return sorted(info["name"].decode() for info in await raw.xinfo_consumers(stream_name, "g"))

    assert await consumers() == ["gone", "holding"]
    with caplog.at_level(logging.INFO, logger="hopeit.redis_streams"):
        assert await read(live, stream_name, "g", timeout=10) == []
    assert await consumers() == ["holding", "live"]
    assert "Removed 1 consumer(s) idle for more than 100 ms with nothing pending" in caplog.text
    assert (await raw.xpending(stream_name, "g"))["pending"] == 1  # the held message is still there to reclaim


async def test_forgetting_consumers_can_be_turned_off(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    live = await make_manager(consumer_name="live", claim_interval_ms=50, forget_consumers_idle_ms=0)
    await live.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    # 0 turns forgetting off; were it a threshold, "gone" (idle for >= 0 ms already) would be forgotten
    await gone_consumer(live, raw, stream_name)
    await read(live, stream_name, "g", timeout=10)
    names = sorted(info["name"].decode() for info in await raw.xinfo_consumers(stream_name, "g"))
    assert names == ["gone", "live"]


async def test_dead_letter_carries_the_error_recorded_by_another_consumer(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    """The last error of a message is kept in Redis: whichever consumer dead-letters it writes the error,
    escaped and bounded, into dlq.error."""
    first = await make_manager(consumer_name="first", max_deliveries=1)
    second = await make_manager(consumer_name="second", max_deliveries=1, **FAST)
    await first.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    await publish(first, stream_name, [something(1)])
    (event,) = await read_events(first, stream_name, "g")
    forged = "bad value\n2099-01-01 | CRITICAL | FORGED" + "x" * 5000
    await first.record_failures(stream_name=stream_name, consumer_group="g", failures=[(event, RuntimeError(forged))])
    await first.close()  # crashed: the second consumer reclaims the message, and dead-letters it

    async def dead_lettered() -> bool:
        await read(second, stream_name, "g", timeout=20)
        length: int = await raw.xlen(stream_name + ".dlq")
        return length == 1

    await eventually(dead_lettered)
    ((_, dead),) = await raw.xrange(stream_name + ".dlq")
    error = dead[b"dlq.error"].decode()
    assert error.startswith("RuntimeError: bad value\\n2099-01-01 | CRITICAL | FORGED") and "\n" not in error
    assert len(error) < 1100 and error.endswith(" characters)")
    assert dead[b"dlq.consumer"] == b"second"
    assert await raw.keys(stream_name + ".dlq.error.*") == []
