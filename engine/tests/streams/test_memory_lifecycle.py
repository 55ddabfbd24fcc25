"""In-process streams: waking readers, timeouts, closing, sharing by address and bounded memory."""

import asyncio
import threading
from typing import List, Optional

import pytest
from hopeit.contracts.settings import StreamsConfig
from hopeit.streams import StreamManager, StreamOSError, _memory_store
from hopeit.streams.memory import MemoryStreamManager, NoConsumerGroupError
from hopeit.testing.waiting import wait_until

from .conftest import ManagerFactory
from .memory_support import GROUP, STREAM, Result, ack, blocked_readers, events, read, values, write
from .payloads import Plain


async def test_reader_woken_at_once_by_a_write(managers: ManagerFactory) -> None:
    """A reader blocked on an empty stream returns within a few ms of a write, well before its timeout."""
    reader, writer = await managers(), await managers()
    await reader.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(read(reader, timeout=5000))
    await wait_until(lambda: blocked_readers(reader) == 1)
    assert not task.done()
    await write(writer, Plain(value=7))
    written_at = loop.time()  # after the write: the first write of a type also builds its serializer
    result = await task
    assert loop.time() - written_at < 0.05
    assert values(result) == [7]


async def test_batch_write_wakes_reader_once_with_all(managers: ManagerFactory) -> None:
    """write_stream_batch appends every message before waking readers, who get them in one read."""
    manager = await managers()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    task = asyncio.create_task(read(manager, timeout=5000))
    await wait_until(lambda: blocked_readers(manager) == 1)
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
    await wait_until(lambda: blocked_readers(manager) == 1)
    finished, _ = await asyncio.wait({task}, timeout=0.1)  # still blocked a while later: no timeout of its own
    assert not finished
    await write(manager, Plain(value=3))
    assert values(await asyncio.wait_for(task, timeout=1)) == [3]


async def test_close_wakes_blocked_readers(managers: ManagerFactory) -> None:
    """close() makes blocked reads return [] at once; the closed manager refuses calls until connect()."""
    manager = await managers()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    loop = asyncio.get_running_loop()
    tasks = [asyncio.create_task(read(manager, timeout=10000)) for _ in range(2)]
    await wait_until(lambda: blocked_readers(manager) == 2)
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
    await wait_until(lambda: blocked_readers(manager) == 1)
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
        await wait_until(lambda: blocked_readers(manager) == 1)
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
    _memory_store.wake(waiters)
    assert waiters == set()
