"""Reading several streams of one consumer group in one call (``StreamManager.read_streams``, issue #19).

The memory manager waits once for all the streams; a manager written for 0.24 (no ``read_streams``)
gets the contract's default, one ``read_stream`` per stream; the circuit breaker forwards either.
"""

import asyncio
from typing import Any, List, Optional, Tuple, Union

import pytest
from hopeit.app.config import Compression, Serialization
from hopeit.contracts.settings import StreamsConfig
from hopeit.streams import (
    MessageRefusedError,
    StreamCircuitBreaker,
    StreamEvent,
    StreamItem,
    StreamManager,
    StreamOSError,
)
from hopeit.streams.memory import MemoryStreamManager, NoConsumerGroupError
from hopeit.testing.waiting import wait_until

from .conftest import ManagerFactory
from .fake_clock import FakeClock
from .memory_support import AUTH, DATATYPES, GROUP, TRACK, ack, blocked_readers, write
from .payloads import Order, Plain

FIRST, SECOND = "multi.stream", "multi.stream.high"
#: long enough that a test passing within it shows the read did not wait it out
LONG_MS = 5000


async def read_both(
    manager: StreamManager, *, timeout: int = 10, batch_size: int = 100, offset: str = ">",
    streams: Tuple[str, ...] = (FIRST, SECOND),
) -> List[StreamItem]:
    return await manager.read_streams(
        stream_names=list(streams),
        consumer_group=GROUP,
        datatypes=DATATYPES,
        track_headers=["track.request_id"],
        offset=offset,
        batch_size=batch_size,
        timeout=timeout,
        batch_interval=60000,
    )


def tagged(items: List[StreamItem]) -> List[Tuple[str, int]]:
    """``(stream, payload value)`` of every item, all of which must be events."""
    assert all(isinstance(item, StreamEvent) for _, item in items), items
    return [(name, item.payload.value) for name, item in items if isinstance(item, StreamEvent)]


async def groups(manager: StreamManager, *streams: str) -> None:
    for stream in streams or (FIRST, SECOND):
        await manager.ensure_consumer_group(stream_name=stream, consumer_group=GROUP)


async def test_items_come_with_their_stream_in_the_order_named(managers: ManagerFactory) -> None:
    """Every stream's messages come, each tagged with its stream, the streams in the order given."""
    manager = await managers()
    await groups(manager)
    await write(manager, Plain(value=1), Plain(value=2), stream=SECOND)
    await write(manager, Plain(value=3), stream=FIRST)
    assert tagged(await read_both(manager)) == [(FIRST, 3), (SECOND, 1), (SECOND, 2)]
    assert tagged(await read_both(manager, streams=(SECOND, FIRST))) == []


async def test_batch_size_counts_per_stream(managers: ManagerFactory) -> None:
    """``batch_size`` bounds what each stream gives, as XREADGROUP COUNT does."""
    manager = await managers()
    await groups(manager)
    await write(manager, *(Plain(value=i) for i in range(5)), stream=FIRST)
    await write(manager, *(Plain(value=10 + i) for i in range(5)), stream=SECOND)
    first = tagged(await read_both(manager, batch_size=2))
    assert first == [(FIRST, 0), (FIRST, 1), (SECOND, 10), (SECOND, 11)]
    assert len(tagged(await read_both(manager, batch_size=100))) == 6


async def test_one_wait_ends_with_a_message_on_any_stream(managers: ManagerFactory) -> None:
    """An idle read waits on every stream at once: a message written to the second one ends it at once."""
    reader, writer = await managers(), await managers()
    await groups(reader)
    reading = asyncio.ensure_future(read_both(reader, timeout=LONG_MS))
    await _blocked_on_both(reader, timeout=LONG_MS / 4000)
    await write(writer, Plain(value=7), stream=SECOND)
    # well within the read's timeout: the wait ended with the message, not after LONG_MS
    assert tagged(await asyncio.wait_for(reading, LONG_MS / 2000)) == [(SECOND, 7)]
    assert blocked_readers(reader, FIRST) == blocked_readers(reader, SECOND) == 0


async def _blocked_on_both(manager: MemoryStreamManager, timeout: float = 2.0) -> None:
    await wait_until(lambda: blocked_readers(manager, FIRST) and blocked_readers(manager, SECOND),
                     timeout=timeout, what="a read waiting on both streams")


async def test_nothing_written_returns_empty_after_the_timeout(managers: ManagerFactory) -> None:
    """With no message anywhere the read returns ``[]`` after ``timeout``, waiting on no stream afterwards."""
    manager = await managers()
    await groups(manager)
    assert await read_both(manager, timeout=20) == []
    assert blocked_readers(manager, FIRST) == blocked_readers(manager, SECOND) == 0


async def test_close_and_clear_end_a_blocked_read(managers: ManagerFactory, address: str) -> None:
    """Closing the manager, or dropping the streams, makes a blocked read of several streams return ``[]``."""
    manager = await managers()
    await groups(manager)
    reading = asyncio.ensure_future(read_both(manager, timeout=0))  # 0: until a message comes, as BLOCK 0
    await _blocked_on_both(manager)
    await manager.close()
    assert await asyncio.wait_for(reading, 2) == []
    await manager.connect()
    await groups(manager)
    reading = asyncio.ensure_future(read_both(manager, timeout=0))
    await _blocked_on_both(manager)
    MemoryStreamManager.clear(address)
    assert await asyncio.wait_for(reading, 2) == []


async def test_missing_group_on_one_stream_is_an_error(managers: ManagerFactory) -> None:
    """A stream without the group fails the read, as ``read_stream`` does (Redis answers NOGROUP)."""
    manager = await managers()
    await groups(manager, FIRST)
    with pytest.raises(NoConsumerGroupError, match=f"no consumer group '{GROUP}' on stream '{SECOND}'"):
        await read_both(manager)


async def test_each_stream_acks_its_own_messages(managers: ManagerFactory) -> None:
    """Messages are pending on their own stream until acknowledged there."""
    manager = await managers()
    await groups(manager)
    await write(manager, Plain(value=1), stream=FIRST)
    await write(manager, Plain(value=2), stream=SECOND)
    items = await read_both(manager)
    assert [len(manager.pending(s, GROUP)) for s in (FIRST, SECOND)] == [1, 1]
    firsts = [item for name, item in items if name == FIRST]
    assert await ack(manager, firsts, stream=FIRST) == [1]
    assert [len(manager.pending(s, GROUP)) for s in (FIRST, SECOND)] == [0, 1]


async def test_undecodable_and_refused_messages_per_stream(managers: ManagerFactory) -> None:
    """A message of an unknown type comes back as an error and stays pending on its stream; one in a
    serialization the stream does not allow is refused and dead-lettered from its own stream."""
    manager = await managers()
    await groups(manager)
    await manager.write_stream(
        stream_name=SECOND, queue="high", payload=Plain(value=1), track_ids=TRACK, auth_info=AUTH,
        compression=Compression.NONE, serialization=Serialization.PICKLE4,
    )
    await write(manager, Plain(value=2), stream=SECOND)
    [(name, refused), (good_name, good)] = await read_both(manager)
    assert name == SECOND and isinstance(refused, MessageRefusedError) and "multi.stream.high.dlq" in str(refused)
    assert len(manager.dead_letters(SECOND)) == 1 and manager.dead_letters(FIRST) == []
    assert tagged([(good_name, good)]) == [(SECOND, 2)]
    datatypes = {k: v for k, v in DATATYPES.items() if v is Order}  # Plain is no longer a type read
    await write(manager, Plain(value=3), stream=FIRST)
    [(name, error)] = await manager.read_streams(
        stream_names=[FIRST, SECOND], consumer_group=GROUP, datatypes=datatypes, track_headers=[], offset=">",
        batch_size=10, timeout=10, batch_interval=0,
    )
    assert name == FIRST and isinstance(error, TypeError)
    assert len(manager.pending(FIRST, GROUP)) == 1


async def test_redelivery_per_stream_without_starving_the_others(address: str) -> None:
    """Messages left pending past ``claim_idle_ms`` come again from their stream, beside new messages of the others."""
    clock = FakeClock()
    config = StreamsConfig(stream_manager="memory", connection_str=address, settings={"claim_idle_ms": 1000})
    manager = await MemoryStreamManager(address=address, config=config).connect()
    manager.clock = clock.now
    try:
        await groups(manager)
        await write(manager, Plain(value=1), stream=FIRST)
        assert tagged(await read_both(manager)) == [(FIRST, 1)]  # not acknowledged
        clock.advance(1.0)
        await write(manager, Plain(value=2), stream=SECOND)
        assert tagged(await read_both(manager)) == [(FIRST, 1), (SECOND, 2)]
        assert [p.delivery_count for p in manager.pending(FIRST, GROUP)] == [2]
    finally:
        await manager.close()


async def test_offset_reads_own_pending_of_every_stream(managers: ManagerFactory) -> None:
    """An offset other than ``>`` re-reads this consumer's pending messages of each stream, without waiting."""
    manager = await managers()
    await groups(manager)
    await write(manager, Plain(value=1), stream=FIRST)
    await write(manager, Plain(value=2), stream=SECOND)
    await read_both(manager)
    assert tagged(await read_both(manager, offset="0", timeout=0)) == [(FIRST, 1), (SECOND, 2)]


class Legacy(StreamManager):
    """A stream manager written for 0.24: ``read_stream`` only, over a memory manager; records its reads."""

    def __init__(self, inner: MemoryStreamManager, fail_on: Optional[str] = None) -> None:
        super().__init__(address=inner.address, config=inner.config)
        self.inner = inner
        self.fail_on = fail_on
        self.reads: List[Tuple[str, int]] = []

    async def connect(self) -> "Legacy":
        return self

    async def close(self) -> None:
        await self.inner.close()

    async def write_stream(self, **kwargs: Any) -> int:
        return await self.inner.write_stream(**kwargs)

    async def ensure_consumer_group(self, *, stream_name: str, consumer_group: str) -> None:
        await self.inner.ensure_consumer_group(stream_name=stream_name, consumer_group=consumer_group)

    async def read_stream(self, **kwargs: Any) -> List[Union[StreamEvent, Exception]]:
        self.reads.append((kwargs["stream_name"], kwargs["timeout"]))
        if kwargs["stream_name"] == self.fail_on:
            raise StreamOSError("Connection refused")
        return await self.inner.read_stream(**kwargs)

    async def ack_read_stream(self, **kwargs: Any) -> int:
        return await self.inner.ack_read_stream(**kwargs)


async def test_default_reads_each_stream_in_turn(managers: ManagerFactory) -> None:
    """Without its own ``read_streams``, a manager is read stream by stream: the full timeout while
    nothing came, 1 ms on the streams after one that gave messages."""
    legacy = Legacy(await managers())
    await groups(legacy)
    assert await read_both(legacy, timeout=15) == []
    assert legacy.reads == [(FIRST, 15), (SECOND, 15)]
    legacy.reads.clear()
    await write(legacy, Plain(value=1), stream=FIRST)
    await write(legacy, Plain(value=2), stream=SECOND)
    assert tagged(await read_both(legacy, timeout=15)) == [(FIRST, 1), (SECOND, 2)]
    assert legacy.reads == [(FIRST, 15), (SECOND, 1)]


async def test_breaker_reads_a_legacy_manager_stream_by_stream(managers: ManagerFactory) -> None:
    """Through the circuit breaker, a 0.24 manager failing on one stream still gives the other's messages;
    the error comes back as that stream's item."""
    legacy = Legacy(await managers(), fail_on=FIRST)
    breaker = StreamCircuitBreaker(stream_manager=legacy, initial_backoff_seconds=0.001)
    await groups(legacy)
    await write(legacy, Plain(value=2), stream=SECOND)
    [(name, error), (other, event)] = await read_both(breaker)
    assert name == FIRST and isinstance(error, StreamOSError)
    assert other == SECOND and isinstance(event, StreamEvent) and event.payload == Plain(value=2)


async def test_breaker_forwards_one_call_and_turns_its_failure_into_an_item(managers: ManagerFactory) -> None:
    """A manager with ``read_streams`` gets one call; a ``StreamOSError`` comes back tagged with the first stream."""
    manager = await managers()
    breaker = StreamCircuitBreaker(stream_manager=manager, initial_backoff_seconds=0.001)
    await groups(manager)
    await write(manager, Plain(value=5), stream=SECOND)
    assert tagged(await read_both(breaker)) == [(SECOND, 5)]
    await manager.close()
    [(name, error)] = await read_both(breaker)
    assert name == FIRST and isinstance(error, StreamOSError) and "closed" in str(error)
