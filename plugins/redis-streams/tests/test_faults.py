"""Redis restarts and network cuts: back off (in the engine's circuit breaker), reconnect, lose nothing."""

import asyncio
import signal
import time
from pathlib import Path
from typing import Iterator, List, Set

import pytest
import redis.asyncio as aioredis
from hopeit.contracts.settings import StreamsConfig
from hopeit.redis_streams import RedisStreamManager
from hopeit.streams import StreamEvent, StreamOSError
from hopeit.streams.circuit_breaker import CLOSED, StreamCircuitBreaker
from hopeit.testing.redis import RedisServer
from redis_streams_support import (
    ManagerFactory,
    blocked_clients,
    eventually,
    persistent_redis,
    publish,
    read,
    read_events,
    reader_blocked,
    something,
)


@pytest.fixture
def aof_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = persistent_redis(tmp_path).start()
    yield server
    server.close()


async def test_kill_redis_mid_stream_loses_nothing(
    make_manager: ManagerFactory, aof_server: RedisServer, stream_name: str
) -> None:
    total = 1000
    # as the engine uses them: inside its circuit breaker, the one back-off there is
    producer = StreamCircuitBreaker.from_config(await make_manager(url=aof_server.url, consumer_name="producer"))
    consumer = StreamCircuitBreaker.from_config(await make_manager(
        url=aof_server.url, consumer_name="consumer", claim_idle_ms=500, claim_interval_ms=100
    ))
    await consumer.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    received: Set[int] = set()
    read_errors: List[Exception] = []
    write_errors: List[StreamOSError] = []
    done = asyncio.Event()

    async def consume() -> None:
        while not done.is_set():
            for item in await read(consumer, stream_name, "g", batch_size=20, timeout=50):
                if isinstance(item, StreamEvent):
                    received.add(item.payload.value)
                    try:
                        await consumer.ack_read_stream(stream_name=stream_name, consumer_group="g", stream_event=item)
                    except StreamOSError:
                        pass  # stays pending: delivered again once Redis is back
                else:
                    read_errors.append(item)

    async def produce() -> None:
        unsent = list(range(total))
        while unsent:
            value = unsent.pop(0)
            try:
                await publish(producer, stream_name, [something(value)])
            except StreamOSError as exc:
                write_errors.append(exc)
                unsent.append(value)  # the caller saw the failure (a 503): it sends again later
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.002)

    async def crash_and_restart() -> None:
        while len(received) < total // 4:
            await asyncio.sleep(0.01)
        aof_server.kill()  # crash, no shutdown save: only the append-only file keeps the data
        await asyncio.sleep(0.5)
        aof_server.start()

    consuming = asyncio.ensure_future(consume())
    await asyncio.wait_for(asyncio.gather(produce(), crash_and_restart()), timeout=60)

    async def all_received() -> bool:
        return len(received) == total

    await eventually(all_received, timeout=30)
    done.set()
    await consuming
    assert received == set(range(total))
    assert write_errors, "the writer must have seen Redis down"
    assert all(str(aof_server.port) in str(e) for e in write_errors)
    assert read_errors and all(isinstance(e, StreamOSError) for e in read_errors)


async def test_write_fails_fast_while_backing_off_then_recovers(
    make_manager: ManagerFactory, tmp_path: Path, stream_name: str
) -> None:
    server = persistent_redis(tmp_path).start()
    try:
        breaker = StreamCircuitBreaker.from_config(await make_manager(url=server.url))
        await publish(breaker, stream_name, [something(1)])
        server.stop()
        start = time.monotonic()
        with pytest.raises(StreamOSError, match=f"Cannot write 1 message.*{server.port}"):
            await publish(breaker, stream_name, [something(2)])
        with pytest.raises(StreamOSError, match=f"circuit breaker open: writes refused .*{server.port}"):
            await publish(breaker, stream_name, [something(3)])
        assert time.monotonic() - start < 1.0
        server.start()

        async def written() -> bool:
            try:
                await publish(breaker, stream_name, [something(4)])
            except StreamOSError:
                return False
            return True

        await eventually(written, timeout=10)
        client = aioredis.Redis.from_url(server.url)
        assert await client.xlen(stream_name) == 2
        await client.aclose()
    finally:
        server.close()


async def test_reads_back_off_and_return_the_error(
    make_manager: ManagerFactory, tmp_path: Path, stream_name: str
) -> None:
    server = persistent_redis(tmp_path).start()
    try:
        breaker = StreamCircuitBreaker.from_config(await make_manager(url=server.url))
        await breaker.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
        server.stop()
        (error,) = await read(breaker, stream_name, "g")
        assert isinstance(error, StreamOSError) and "Cannot read stream" in str(error)
        assert breaker.reads.state != CLOSED
        with pytest.raises(StreamOSError, match="Cannot create consumer group"):
            await breaker.ensure_consumer_group(stream_name=stream_name, consumer_group="h")
        server.start()

        async def readable() -> bool:
            return await read(breaker, stream_name, "g", timeout=10) == []

        await eventually(readable, timeout=10)
        await publish(breaker, stream_name, [something(9)])
        assert [e.payload.value for e in await read_events(breaker, stream_name, "g")] == [9]
    finally:
        server.close()


async def test_a_blocked_read_never_holds_up_writes(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    manager = await make_manager()
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    other = stream_name + ".other"
    await manager.ensure_consumer_group(stream_name=other, consumer_group="g")
    before = await blocked_clients(raw)
    blocked = asyncio.ensure_future(read_events(manager, other, "g", timeout=2000))
    await reader_blocked(raw, before)
    start = time.monotonic()
    await publish(manager, stream_name, [something(i) for i in range(20)])
    assert time.monotonic() - start < 0.5 and not blocked.done()
    await publish(manager, other, [something(1)])
    assert [e.payload.value for e in await blocked] == [1]


async def test_ack_error_leaves_the_message_pending(
    make_manager: ManagerFactory, tmp_path: Path, stream_name: str
) -> None:
    server = persistent_redis(tmp_path).start()
    try:
        manager = await make_manager(url=server.url, consumer_name="acker")
        await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
        await publish(manager, stream_name, [something(1)])
        (event,) = await read_events(manager, stream_name, "g")
        server.kill()
        with pytest.raises(StreamOSError, match=r"Cannot acknowledge message [0-9-]+ of .* left pending"):
            await manager.ack_read_stream(stream_name=stream_name, consumer_group="g", stream_event=event)
        with pytest.raises(StreamOSError, match=r"Cannot acknowledge 1 message\(s\) .* left pending"):
            await manager.ack_read_stream_batch(stream_name=stream_name, consumer_group="g", stream_events=[event])
        server.start()

        async def redelivered() -> bool:
            try:
                items = await read(manager, stream_name, "g", timeout=10)
            except StreamOSError:  # the first call after the restart may still meet the old connection
                return False
            return [e.payload.value for e in items if isinstance(e, StreamEvent)] == [1]

        await eventually(redelivered, timeout=10)  # own pending list is read again after reconnecting
    finally:
        server.close()


async def test_a_hung_redis_times_out_instead_of_hanging(make_manager: ManagerFactory, stream_name: str) -> None:
    """A frozen server (as behind a network cut: no reply, no reset) costs at most the socket timeout."""
    server = RedisServer().start()
    try:
        manager = await make_manager(url=server.url, socket_timeout=0.3, reconnect_retries=0)
        await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
        assert server.process is not None
        server.process.send_signal(signal.SIGSTOP)
        try:
            start = time.monotonic()
            with pytest.raises(StreamOSError, match="Cannot write"):
                await publish(manager, stream_name, [something(1)])
            with pytest.raises(StreamOSError, match="Cannot read stream"):
                await read(manager, stream_name, "g", timeout=200)
            assert time.monotonic() - start < 3.0
        finally:
            server.process.send_signal(signal.SIGCONT)

        seen: Set[int] = set()

        async def flowing() -> bool:
            try:
                await publish(manager, stream_name, [something(2)])
                items = await read(manager, stream_name, "g")
            except StreamOSError:
                return False
            seen.update(e.payload.value for e in items if isinstance(e, StreamEvent))
            return 2 in seen  # (1 may be there too: a write that timed out can still land: at least once)

        await eventually(flowing, timeout=10)
    finally:
        server.close()


async def test_writes_work_again_soon_after_a_killed_redis_answers(tmp_path: Path, stream_name: str) -> None:
    """Redis SIGKILLed and restarted on its port while a 30 s back-off is in force: the engine breaker's
    probes find it answering, so writes and reads work again within seconds of that, not after 30 s."""
    server = persistent_redis(tmp_path).start()
    config = StreamsConfig(stream_manager="redis", connection_str=server.url, initial_backoff_seconds=30,
                           max_backoff_seconds=60)
    manager = RedisStreamManager(address=server.url, config=config)
    breaker = await StreamCircuitBreaker.from_config(manager).connect()
    try:
        await breaker.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
        await publish(breaker, stream_name, [something(1)])
        server.kill()
        with pytest.raises(StreamOSError, match="Cannot write"):
            await publish(breaker, stream_name, [something(2)])
        (error,) = await read(breaker, stream_name, "g")
        assert isinstance(error, StreamOSError)
        assert breaker.writes.remaining() > 25 and breaker.reads.remaining() > 25
        with pytest.raises(StreamOSError, match="circuit breaker open"):
            await publish(breaker, stream_name, [something(3)])
        server.start()
        client = aioredis.Redis.from_url(server.url)

        async def redis_answers() -> bool:
            try:
                return bool(await client.ping())
            except (OSError, aioredis.ConnectionError):
                return False

        await eventually(redis_answers, timeout=10)
        answered = time.monotonic()

        async def written() -> bool:
            try:
                await publish(breaker, stream_name, [something(4)])
            except StreamOSError:
                return False
            return True

        await eventually(written, timeout=5)  # generous, yet far below the 30 s back-off
        print(f"writes work again {time.monotonic() - answered:.2f}s after Redis answered")
        events = await asyncio.wait_for(read(breaker, stream_name, "g", timeout=100), 5)
        assert [e.payload.value for e in events if isinstance(e, StreamEvent)] == [1, 4]
        await client.aclose()
    finally:
        await breaker.close()
        server.close()
