"""In-process streams: messages, ids, consumer groups and pending entries."""

import asyncio
import re
from typing import List

import pytest
from hopeit.app.config import Compression, Serialization
from hopeit.contracts.discovery import load_stream_manager_class
from hopeit.contracts.settings import StreamsConfig
from hopeit.streams import StreamConfigError, StreamEvent, StreamManager
from hopeit.streams.memory import MemoryStreamManager, NoConsumerGroupError, PendingMessage

from .conftest import ManagerFactory
from .memory_support import AUTH, GROUP, STREAM, TRACK, ack, events, read, values, write
from .payloads import Plain, StampedText, make_order


def test_registered_as_memory_entry_point(address: str) -> None:
    """The engine finds the manager as 'memory' and creates it from server config."""
    assert load_stream_manager_class("memory") is MemoryStreamManager
    manager = StreamManager.create(StreamsConfig(stream_manager="memory", connection_str=address))
    assert isinstance(manager, MemoryStreamManager)
    assert manager.address == address


async def test_write_and_read_one_message(managers: ManagerFactory) -> None:
    """A message written comes back to a group with payload, queue, auth, track ids and a Redis-like id."""
    manager = await managers()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    # pickle is read only where the config asks for it (see test_refused_messages)
    manager.allow_serializations(stream_name=STREAM, consumer_group=GROUP, serializations=[Serialization.PICKLE5])
    order = make_order()
    assert (
        await manager.write_stream(
            stream_name=STREAM,
            queue="custom",
            payload=order,
            track_ids=TRACK,
            auth_info=AUTH,
            compression=Compression.GZIP,
            serialization=Serialization.PICKLE5,
        )
        == 1
    )
    [event] = events(await read(manager))
    assert event.payload == order and event.payload is not order
    assert event.queue == "custom"
    assert event.auth_info == AUTH
    assert re.fullmatch(rb"\d{13}-\d+", event.msg_internal_id)
    assert event.track_ids["stream.name"] == STREAM
    assert event.track_ids["stream.consumer_group"] == GROUP
    assert event.track_ids["stream.msg_id"] == event.msg_internal_id.decode()
    assert event.track_ids["stream.event_id"] == "order-1"
    assert event.track_ids["track.request_id"] == "req-1"


async def test_every_reader_gets_an_independent_copy(managers: ManagerFactory) -> None:
    """Changing a payload read by one group does not change what another group reads."""
    manager = await managers()
    for group in ("g1", "g2"):
        await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=group)
    await write(manager, make_order())
    [first] = events(await read(manager, "g1"))
    first.payload.parts.clear()
    [second] = events(await read(manager, "g2"))
    assert second.payload == make_order()


async def test_ids_increase(managers: ManagerFactory) -> None:
    """Message ids are ms-seq and strictly increasing, within one millisecond too."""
    manager = await managers()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    await write(manager, *[Plain(value=i) for i in range(50)])
    ids = [tuple(int(x) for x in e.msg_internal_id.split(b"-")) for e in events(await read(manager))]
    assert len(ids) == 50
    assert ids == sorted(set(ids))


async def test_two_groups_each_see_all_messages(managers: ManagerFactory) -> None:
    """Every consumer group receives every message."""
    manager = await managers()
    for group in ("g1", "g2"):
        await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=group)
    await write(manager, *[Plain(value=i) for i in range(5)])
    assert values(await read(manager, "g1")) == [0, 1, 2, 3, 4]
    assert values(await read(manager, "g2")) == [0, 1, 2, 3, 4]
    assert await read(manager, "g1") == []


async def test_consumers_of_one_group_share_messages(managers: ManagerFactory) -> None:
    """Two managers (consumers) in one group split the messages with no duplicates."""
    first, second = await managers(), await managers()
    assert first.consumer_id != second.consumer_id
    await first.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    await second.write_stream_batch(
        stream_name=STREAM,
        queue="AUTO",
        payloads=[Plain(value=i) for i in range(10)],
        track_ids={},
        auth_info={},
        compression=Compression.NONE,
        serialization=Serialization.JSON_UTF8,
    )
    got_first = values(await read(first, batch_size=4))
    got_second = values(await read(second, batch_size=100))
    assert got_first == [0, 1, 2, 3]
    assert got_second == [4, 5, 6, 7, 8, 9]
    pending = first.pending(STREAM, GROUP)
    assert [p.consumer for p in pending] == [first.consumer_id] * 4 + [second.consumer_id] * 6


async def test_concurrent_readers_no_duplicates(managers: ManagerFactory) -> None:
    """Blocked readers of one group woken by the same writes never receive the same message twice."""
    readers = [await managers() for _ in range(3)]
    await readers[0].ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    seen: List[int] = []

    async def consume(manager: MemoryStreamManager) -> None:
        while len(seen) < 30:
            result = await read(manager, batch_size=2, timeout=200)
            seen.extend(values(result))
            await ack(manager, result)

    tasks = [asyncio.create_task(consume(m)) for m in readers]
    for i in range(30):
        await write(readers[i % 3], Plain(value=i))
        await asyncio.sleep(0)
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=5)
    assert sorted(seen) == list(range(30))


async def test_pending_until_acked(managers: ManagerFactory) -> None:
    """Read messages stay pending (consumer, delivery count) until acked; acked ones leave."""
    manager = await managers()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    await write(manager, Plain(value=1), Plain(value=2))
    result = await read(manager)
    first, second = events(result)
    assert manager.pending(STREAM, GROUP) == [
        PendingMessage(msg_id=first.msg_internal_id, consumer=manager.consumer_id, delivery_count=1),
        PendingMessage(msg_id=second.msg_internal_id, consumer=manager.consumer_id, delivery_count=1),
    ]
    assert await manager.ack_read_stream(stream_name=STREAM, consumer_group=GROUP, stream_event=first) == 1
    assert await manager.ack_read_stream(stream_name=STREAM, consumer_group=GROUP, stream_event=first) == 0
    assert [p.msg_id for p in manager.pending(STREAM, GROUP)] == [second.msg_internal_id]
    assert await manager.ack_read_stream(stream_name="nope", consumer_group=GROUP, stream_event=first) == 0
    assert await manager.ack_read_stream(stream_name=STREAM, consumer_group="nope", stream_event=first) == 0


async def test_batch_ack_removes_what_was_pending(managers: ManagerFactory) -> None:
    """ack_read_stream_batch acks a batch in one call and counts only messages that were pending."""
    manager = await managers()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    await write(manager, Plain(value=1), Plain(value=2), Plain(value=3))
    first, second, third = events(await read(manager))
    acked = await manager.ack_read_stream_batch(
        stream_name=STREAM, consumer_group=GROUP, stream_events=[first, second, first]
    )
    assert acked == 2
    assert [p.msg_id for p in manager.pending(STREAM, GROUP)] == [third.msg_internal_id]
    for stream, group in (("nope", GROUP), (STREAM, "nope")):
        assert await manager.ack_read_stream_batch(stream_name=stream, consumer_group=group, stream_events=[third]) == 0
    # the protocol's own version acks one by one through ack_read_stream, with the same outcome
    assert await StreamManager.ack_read_stream_batch(
        manager, stream_name=STREAM, consumer_group=GROUP, stream_events=[third, first]
    ) == 1
    assert manager.pending(STREAM, GROUP) == [] and manager.stream_length(STREAM) == 0


async def test_history_read_returns_own_pending(managers: ManagerFactory) -> None:
    """An offset other than '>' re-reads this consumer's pending messages after it, counting deliveries."""
    manager, other = await managers(), await managers()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    await write(manager, *[Plain(value=i) for i in range(4)])
    first = events(await read(manager, batch_size=3))
    await read(other)
    await ack(manager, first[1:2])
    assert values(await read(manager, offset="0")) == [0, 2]
    assert values(await read(manager, offset="0", batch_size=1)) == [0]
    assert values(await read(manager, offset=first[0].msg_internal_id.decode())) == [2]
    assert [p.delivery_count for p in manager.pending(STREAM, GROUP)] == [3, 3, 1]
    with pytest.raises(ValueError, match="Invalid stream offset"):
        await read(manager, offset="latest")


async def test_unknown_type_comes_back_as_exception_and_stays_pending(managers: ManagerFactory) -> None:
    """A message of a type the reader does not know is an Exception item, left pending."""
    manager = await managers()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    await write(manager, StampedText(stamp="x"), Plain(value=1))
    result = await read(manager)
    assert isinstance(result[0], TypeError)
    assert isinstance(result[1], StreamEvent)
    assert len(manager.pending(STREAM, GROUP)) == 2


async def test_missing_group_or_stream_raises(managers: ManagerFactory) -> None:
    """Reading a group or stream that does not exist raises a NOGROUP error saying what to do."""
    manager = await managers()
    with pytest.raises(NoConsumerGroupError, match=r"NOGROUP.*ensure_consumer_group"):
        await read(manager)
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    with pytest.raises(NoConsumerGroupError):
        await read(manager, "other-group")
    with pytest.raises(StreamConfigError):
        manager.pending(STREAM, "other-group")


async def test_ensure_consumer_group(managers: ManagerFactory) -> None:
    """ensure_consumer_group creates the stream, reads from the start, and is a no-op the second time."""
    manager = await managers()
    await write(manager, Plain(value=1), stream="other")
    assert manager.stream_length(STREAM) == 0
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    assert manager.stream_length(STREAM) == 0
    await manager.ensure_consumer_group(stream_name="other", consumer_group=GROUP)
    assert values(await read(manager, stream="other")) == [1]
    await manager.ensure_consumer_group(stream_name="other", consumer_group=GROUP)
    assert await read(manager, stream="other") == []
