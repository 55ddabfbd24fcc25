import asyncio
import re
import threading
from typing import Any, List, Optional, Sequence, Union

import pytest
from hopeit.app._server_models import StreamsConfig
from hopeit.app.config import Compression, Serialization
from hopeit.server.plugins import load_stream_manager_class
from hopeit.streams import StreamConfigError, StreamEvent, StreamManager, StreamOSError
from hopeit.streams import memory as memory_module
from hopeit.streams.memory import MemoryStreamManager, NoConsumerGroupError, PendingMessage
from hopeit.streams.messages import payload_type_name

from .conftest import ManagerFactory
from .payloads import Order, Plain, StampedText, make_order

STREAM = "app.events.stream"
GROUP = "app.events.group"
DATATYPES = {payload_type_name(Order): Order, payload_type_name(Plain): Plain}
TRACK = {"track.request_id": "req-1", "track.request_ts": "2024-05-06T07:08:09+00:00"}
AUTH = {"auth_type": "Unsecured"}

Result = List[Union[StreamEvent, Exception]]
Items = Sequence[Union[StreamEvent, Exception]]


async def write(manager: StreamManager, *payloads: Any, stream: str = STREAM, target_max_len: int = 0) -> int:
    return await manager.write_stream_batch(
        stream_name=stream,
        queue="AUTO",
        payloads=list(payloads),
        track_ids=TRACK,
        auth_info=AUTH,
        compression=Compression.LZ4,
        serialization=Serialization.JSON_BASE64,
        target_max_len=target_max_len,
    )


async def read(
    manager: StreamManager,
    group: str = GROUP,
    *,
    stream: str = STREAM,
    batch_size: int = 100,
    timeout: int = 10,
    offset: str = ">",
    batch_interval: int = 60000,
) -> Result:
    return await manager.read_stream(
        stream_name=stream,
        consumer_group=group,
        datatypes=DATATYPES,
        track_headers=["track.request_id", "track.request_ts"],
        offset=offset,
        batch_size=batch_size,
        timeout=timeout,
        batch_interval=batch_interval,
    )


def events(result: Items) -> List[StreamEvent]:
    assert all(isinstance(item, StreamEvent) for item in result), result
    return [item for item in result if isinstance(item, StreamEvent)]


def values(result: Result) -> List[int]:
    return [event.payload.value for event in events(result)]


async def ack(manager: StreamManager, result: Items, group: str = GROUP, stream: str = STREAM) -> List[int]:
    return [
        await manager.ack_read_stream(stream_name=stream, consumer_group=group, stream_event=event)
        for event in events(result)
    ]


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
    order = make_order()
    assert await manager.write_stream(
        stream_name=STREAM, queue="custom", payload=order, track_ids=TRACK, auth_info=AUTH,
        compression=Compression.GZIP, serialization=Serialization.PICKLE5,
    ) == 1
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
        stream_name=STREAM, queue="AUTO", payloads=[Plain(value=i) for i in range(10)], track_ids={},
        auth_info={}, compression=Compression.NONE, serialization=Serialization.JSON_UTF8,
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


async def test_reader_woken_at_once_by_a_write(managers: ManagerFactory) -> None:
    """A reader blocked on an empty stream returns within a few ms of a write, well before its timeout."""
    reader, writer = await managers(), await managers()
    await reader.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(read(reader, timeout=5000))
    await asyncio.sleep(0.05)
    assert not task.done()
    written_at = loop.time()
    await write(writer, Plain(value=7))
    result = await task
    assert loop.time() - written_at < 0.05
    assert values(result) == [7]


async def test_batch_write_wakes_reader_once_with_all(managers: ManagerFactory) -> None:
    """write_stream_batch appends every message before waking readers, who get them in one read."""
    manager = await managers()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    task = asyncio.create_task(read(manager, timeout=5000))
    await asyncio.sleep(0.01)
    assert await write(manager, *[Plain(value=i) for i in range(5)]) == 5
    assert values(await task) == [0, 1, 2, 3, 4]
    assert await write(manager) == 0


async def test_timeout_returns_empty_without_batch_interval(managers: ManagerFactory) -> None:
    """With nothing to read, read_stream returns [] after ~timeout ms and does not sleep batch_interval."""
    manager = await managers()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    loop = asyncio.get_running_loop()
    start = loop.time()
    assert await read(manager, timeout=100, batch_interval=60000) == []
    elapsed = loop.time() - start
    assert 0.09 <= elapsed < 0.5


async def test_timeout_zero_blocks_until_a_message(managers: ManagerFactory) -> None:
    """timeout=0 waits until a message arrives (as Redis BLOCK 0)."""
    manager = await managers()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    task = asyncio.create_task(read(manager, timeout=0))
    await asyncio.sleep(0.1)
    assert not task.done()
    await write(manager, Plain(value=3))
    assert values(await asyncio.wait_for(task, timeout=1)) == [3]


async def test_close_wakes_blocked_readers(managers: ManagerFactory) -> None:
    """close() makes blocked reads return [] at once; the closed manager refuses calls until connect()."""
    manager = await managers()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    loop = asyncio.get_running_loop()
    tasks = [asyncio.create_task(read(manager, timeout=10000)) for _ in range(2)]
    await asyncio.sleep(0.02)
    closed_at = loop.time()
    await manager.close()
    assert await asyncio.gather(*tasks) == [[], []]
    assert loop.time() - closed_at < 0.05
    with pytest.raises(StreamOSError, match="closed: call connect"):
        await read(manager)
    with pytest.raises(StreamOSError):
        await write(manager, Plain(value=1))
    assert manager.stream_length(STREAM) == 0  # introspection still works
    assert manager.pending(STREAM, GROUP) == []
    assert await manager.connect() is manager
    await write(manager, Plain(value=1))
    assert values(await read(manager)) == [1]


async def test_clear_drops_streams_and_wakes_readers(address: str, managers: ManagerFactory) -> None:
    """clear(address) drops its streams; readers blocked on them return []."""
    manager = await managers()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    await write(manager, Plain(value=1))
    await read(manager)
    task = asyncio.create_task(read(manager, timeout=10000))
    await asyncio.sleep(0.01)
    MemoryStreamManager.clear(address)
    assert await asyncio.wait_for(task, timeout=1) == []
    assert manager.stream_length(STREAM) == 0
    with pytest.raises(NoConsumerGroupError):
        await read(manager)
    MemoryStreamManager.clear()
    MemoryStreamManager.clear("never-used")


async def test_streams_shared_by_address(address: str, managers: ManagerFactory) -> None:
    """Managers with the same address share streams; another address has its own."""
    writer = await managers()
    elsewhere = await MemoryStreamManager(address=f"{address}-other").connect()
    try:
        await writer.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
        await write(writer, Plain(value=1))
        assert (await managers()).stream_length(STREAM) == 1
        assert elsewhere.stream_length(STREAM) == 0
    finally:
        MemoryStreamManager.clear(f"{address}-other")


async def test_target_max_len_trims_oldest(managers: ManagerFactory) -> None:
    """target_max_len keeps the newest entries; a group reading later starts at the oldest kept."""
    manager = await managers()
    await write(manager, *[Plain(value=i) for i in range(10)], target_max_len=4)
    assert manager.stream_length(STREAM) == 4
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    assert values(await read(manager)) == [6, 7, 8, 9]


async def test_trimmed_before_read_are_skipped_pending_kept(managers: ManagerFactory) -> None:
    """A lagging group loses trimmed entries (as on Redis), while its pending ones keep their data."""
    manager = await managers()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    await write(manager, Plain(value=0), Plain(value=1))
    pending = await read(manager, batch_size=1)
    await write(manager, *[Plain(value=i) for i in range(2, 6)], target_max_len=2)
    assert values(await read(manager)) == [4, 5]
    assert values(await read(manager, offset="0")) == [0, 4, 5]
    assert await ack(manager, pending) == [1]


async def test_max_len_setting(address: str) -> None:
    """StreamsConfig.settings max_len caps streams written without target_max_len."""
    config = StreamsConfig(stream_manager="memory", connection_str=address, settings={"max_len": 3})
    manager = await StreamManager.create(config).connect()
    assert isinstance(manager, MemoryStreamManager)
    await write(manager, *[Plain(value=i) for i in range(5)])
    assert manager.stream_length(STREAM) == 3
    await write(manager, Plain(value=9), target_max_len=2)
    assert manager.stream_length(STREAM) == 2


async def test_entries_acked_by_every_group_are_dropped(managers: ManagerFactory) -> None:
    """Memory stays bounded: an entry leaves once every group acked it; pending or unread ones stay."""
    manager = await managers()
    await write(manager, Plain(value=0))
    assert manager.stream_length(STREAM) == 1  # no group yet: kept for groups to come
    for group in ("g1", "g2"):
        await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=group)
    await write(manager, Plain(value=1), Plain(value=2))
    g1 = await read(manager, "g1")
    await ack(manager, g1, "g1")
    assert manager.stream_length(STREAM) == 3  # g2 has not read them
    g2 = await read(manager, "g2")
    assert manager.stream_length(STREAM) == 3  # g2 has them pending
    await ack(manager, events(g2)[1:], "g2")
    assert manager.stream_length(STREAM) == 1
    await ack(manager, g2[:1], "g2")
    assert manager.stream_length(STREAM) == 0


async def test_late_group_skips_holes(managers: ManagerFactory) -> None:
    """A group created after some entries were dropped reads the ones left, in order."""
    manager = await managers()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group="g1")
    await write(manager, *[Plain(value=i) for i in range(4)])
    result = await read(manager, "g1")
    await ack(manager, [result[1], result[2]], "g1")
    assert manager.stream_length(STREAM) == 2
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group="g2")
    assert values(await read(manager, "g2")) == [0, 3]


async def test_only_data_objects_can_be_written(managers: ManagerFactory) -> None:
    """Publishing something that is not a @dataobject fails with a clear error."""
    manager = await managers()
    with pytest.raises(NotImplementedError, match="only @dataobject"):
        await write(manager, "text")


async def test_reader_in_another_event_loop_is_woken(address: str) -> None:
    """A reader blocked in another thread's event loop is woken by a write from this one."""
    result: List[Result] = []
    ready = threading.Event()

    async def reader() -> None:
        manager = MemoryStreamManager(address=address)
        await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
        task = asyncio.create_task(read(manager, timeout=5000))
        await asyncio.sleep(0.01)
        ready.set()
        result.append(await task)

    # the reader runs its own loop in a thread; this test's loop writes
    thread = threading.Thread(target=asyncio.run, args=(reader(),))
    thread.start()
    loop = asyncio.get_running_loop()
    assert await loop.run_in_executor(None, ready.wait, 5)
    await write(MemoryStreamManager(address=address), Plain(value=5))
    await loop.run_in_executor(None, thread.join, 5)
    assert values(result[0]) == [5]


def test_wake_skips_readers_of_closed_loops() -> None:
    """A waiter left behind by a closed event loop is dropped instead of failing the writer."""
    loop = asyncio.new_event_loop()
    waiter: Optional[asyncio.Future[None]] = loop.create_future()
    loop.close()
    assert waiter is not None
    waiters = {waiter}
    memory_module._wake(waiters)
    assert waiters == set()
