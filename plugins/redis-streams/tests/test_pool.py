"""A busy connection pool is not an outage: writes wait for a connection, the circuit stays closed.

redis-py's default pool raises ``MaxConnectionsError`` (a ``ConnectionError``) when full; the engine
took it for Redis being down and answered 503 to every write while Redis was healthy.
"""

import asyncio
import signal
from typing import Any, Iterator, List

import pytest
import redis.asyncio as aioredis
from hopeit.app.config import Compression, Serialization
from hopeit.streams import StreamBusyError, StreamOSError
from hopeit.streams.circuit_breaker import CLOSED, StreamCircuitBreaker
from hopeit.testing.redis import RedisServer
from hopeit.testing.waiting import wait_until
from redis_streams_support import TRACK_IDS, ManagerFactory, something

WRITERS = 320


@pytest.fixture
def own_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.close()


async def write_one(manager: Any, stream_name: str, value: int) -> int:
    result: int = await manager.write_stream(
        stream_name=stream_name, queue="AUTO", payload=something(value), track_ids=TRACK_IDS, auth_info={},
        compression=Compression.NONE, serialization=Serialization.JSON_UTF8,
    )
    return result


async def write_batch(manager: Any, stream_name: str, values: List[int]) -> int:
    result: int = await manager.write_stream_batch(
        stream_name=stream_name, queue="AUTO", payloads=[something(v) for v in values], track_ids=TRACK_IDS,
        auth_info={}, compression=Compression.NONE, serialization=Serialization.JSON_UTF8,
    )
    return result


async def writer(breaker: StreamCircuitBreaker, stream_name: str, index: int) -> int:
    """Three writes, started a few loop turns apart from the other writers': pipelines overlap in flight."""
    written = 0
    for round_ in range(3):
        for _ in range((index + round_) % 7):
            await asyncio.sleep(0)
        if index % 4 == 0:
            written += await write_batch(breaker, stream_name, [index * 10 + round_, index * 10 + round_ + 5])
        else:
            written += await write_one(breaker, stream_name, index * 10 + round_)
    return written


async def test_hundreds_of_concurrent_writes_through_a_pool_of_five(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    """320 concurrent writers (960 calls) on 5 connections: every write lands, nothing is refused."""
    manager = await make_manager(max_connections=5)
    breaker = StreamCircuitBreaker.from_config(manager)
    results = await asyncio.gather(*(writer(breaker, stream_name, i) for i in range(WRITERS)), return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == [], f"{len(errors)} writers failed, e.g. {errors[:1]}"
    expected = sum(6 if i % 4 == 0 else 3 for i in range(WRITERS))
    assert sum(results) == expected  # type: ignore[arg-type]
    assert await raw.xlen(stream_name) == expected
    assert breaker.writes.state == CLOSED and breaker.writes.num_failures == 0
    assert manager._write_client is not None and manager._write_client.connection_pool.max_connections == 5


async def test_a_pool_busy_past_its_timeout_fails_the_write_without_opening_the_circuit(
    make_manager: ManagerFactory, own_server: RedisServer, stream_name: str
) -> None:
    """Writes that cannot get a connection within pool_timeout fail with StreamBusyError (503) only."""
    manager = await make_manager(url=own_server.url, max_connections=1, pool_timeout=0.2, socket_timeout=5)
    breaker = StreamCircuitBreaker.from_config(manager)
    assert own_server.process is not None
    await write_one(breaker, stream_name, 0)
    own_server.process.send_signal(signal.SIGSTOP)  # the one connection now waits for a reply
    try:
        first = asyncio.ensure_future(write_one(breaker, stream_name, 1))
        assert manager._write_client is not None
        pool = manager._write_client.connection_pool
        await wait_until(lambda: not pool.can_get_connection(), what="the first write to hold the one connection")
        with pytest.raises(StreamBusyError, match=r"All 1 Redis write connections stayed busy for 0\.2s"):
            await write_one(breaker, stream_name, 2)
        assert breaker.writes.state == CLOSED
    finally:
        own_server.process.send_signal(signal.SIGCONT)
    assert await first == 1
    assert await write_one(breaker, stream_name, 3) == 1


async def test_a_stopped_redis_still_opens_the_circuit(
    make_manager: ManagerFactory, own_server: RedisServer, stream_name: str
) -> None:
    """Bounding the pool changes nothing for real outages: writes fail and the breaker opens."""
    manager = await make_manager(url=own_server.url, max_connections=5)
    breaker = StreamCircuitBreaker.from_config(manager)
    assert await write_one(breaker, stream_name, 1) == 1
    own_server.stop()
    results = await asyncio.gather(*(write_one(breaker, stream_name, i) for i in range(50)), return_exceptions=True)
    assert all(isinstance(r, StreamOSError) and not isinstance(r, StreamBusyError) for r in results)
    assert breaker.writes.state != CLOSED
    with pytest.raises(StreamOSError, match=r"circuit breaker open"):
        await write_one(breaker, stream_name, 2)
