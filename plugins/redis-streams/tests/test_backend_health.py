"""One truth about Redis's health: the engine's circuit breaker hears every failure (issue #13, bugs 1 and 2).

The manager used to keep a back-off of its own on the engine breaker's settings and return read
failures as ``[StreamOSError]`` items, so the breaker always recorded a success; and the breaker
swallowed failed acknowledgements, so a message left pending was logged DONE.
"""

import asyncio
import logging
from pathlib import Path
from typing import AsyncIterator, Dict, List

import pytest
import redis.asyncio as aioredis
from hopeit.contracts.settings import LoggingConfig, ServerConfig, StreamsConfig
from hopeit.redis_streams import RedisStreamManager
from hopeit.server.engine import AppEngine
from hopeit.streams import StreamCircuitBreaker, StreamOSError
from hopeit.streams.circuit import CLOSED
from hopeit.testing.apps import config
from hopeit.testing.redis import RedisServer
from redis_streams_e2e import Item, Order
from redis_streams_e2e.events import consume
from redis_streams_support import eventually, persistent_redis, publish, read, something

CONFIG = Path(__file__).parent / "redis_streams_e2e" / "config.json"


@pytest.fixture
async def aof_server(tmp_path: Path) -> AsyncIterator[RedisServer]:
    server = persistent_redis(tmp_path).start()
    yield server
    server.close()


class Records(logging.Handler):
    """The lines an engine logs: ``LEVEL message | extra``."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.getMessage()} | {getattr(record, 'extra', '')}")


async def test_a_failed_ack_fails_the_message_and_it_is_delivered_again(
    aof_server: RedisServer, tmp_path: Path
) -> None:
    """Redis dies between processing a message and acknowledging it: the message is logged FAILED with
    the ack error (not DONE), and once Redis is back it is delivered again, processed and acknowledged."""
    app_config = config(CONFIG)
    app_config.server = ServerConfig(
        streams=StreamsConfig(stream_manager="redis", connection_str=aof_server.url, delay_auto_start_seconds=0,
                              initial_backoff_seconds=0.05, max_backoff_seconds=0.2),
        logging=LoggingConfig(log_level="INFO", log_path=f"{tmp_path}/"),
    )
    engine = await AppEngine(app_config=app_config, plugins=[], enabled_groups=[]).start()
    records = Records()
    event_logger = engine.event_logger("consume").logger  # the event's lines go to its own logger, as in 0.24
    event_logger.addHandler(records)
    consume.SEEN.clear()
    killed: List[Item] = []

    def kill_redis_once(item: Item) -> None:
        if not killed:
            killed.append(item)
            aof_server.kill()

    consume.AFTER_RECORD.append(kill_redis_once)
    try:
        track: Dict[str, str] = {"track.request_id": "r1", "track.request_ts": "2024-01-01T00:00:00+00:00"}
        context = engine.create_context("publish", track, {"auth_type": "Unsecured"})
        await engine.execute(context=context, query_args=None, payload=Order(count=1))
        reading = asyncio.ensure_future(engine.read_stream(event_name="consume", wait_start=False))

        async def failed() -> bool:
            return any(line.startswith("ERROR FAILED") for line in records.lines)

        await eventually(failed, timeout=20)
        errors = [line for line in records.lines if line.startswith("ERROR")]
        assert any("Cannot acknowledge" in line and "left pending" in line for line in errors), errors
        assert not any(line.startswith("INFO DONE") for line in records.lines)
        aof_server.start()

        async def done() -> bool:
            return any(line.startswith("INFO DONE") for line in records.lines)

        await eventually(done, timeout=20)
        await engine.stop_event("consume")
        await asyncio.wait_for(reading, 10)
        assert consume.SEEN[0] == 2  # at least once: processed again after Redis came back
        stream = engine.effective_events["consume"].read_stream
        assert stream is not None
        client = aioredis.Redis.from_url(aof_server.url)
        assert (await client.xpending(stream.name, stream.consumer_group))["pending"] == 0
        await client.aclose()
    finally:
        consume.AFTER_RECORD.remove(kill_redis_once)
        event_logger.removeHandler(records)
        await engine.stop()


async def test_read_failures_reach_the_engine_breaker(aof_server: RedisServer, stream_name: str) -> None:
    """A read while Redis is down raises from the manager and opens the engine breaker's read circuit."""
    manager = RedisStreamManager(address=aof_server.url, config=StreamsConfig(
        stream_manager="redis", connection_str=aof_server.url, initial_backoff_seconds=0.05, max_backoff_seconds=0.2,
    ))
    breaker = await StreamCircuitBreaker.from_config(manager).connect()
    try:
        await breaker.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
        aof_server.stop()
        [error] = await read(breaker, stream_name, "g")
        assert isinstance(error, StreamOSError) and "Cannot read stream" in str(error)
        assert breaker.reads.state != CLOSED, "the breaker took a failed read for a success"
        with pytest.raises(StreamOSError, match="Cannot read stream"):
            await read(manager, stream_name, "g")  # the manager itself hides no failure in its result
        aof_server.start()

        async def reads_again() -> bool:
            return await read(breaker, stream_name, "g", timeout=10) == []

        await eventually(reads_again, timeout=10)
        assert breaker.reads.state == CLOSED
    finally:
        await breaker.close()


async def test_the_manager_keeps_no_backoff_of_its_own(aof_server: RedisServer, stream_name: str) -> None:
    """Without the engine's breaker around it, the manager tries Redis on every call: the back-off is the
    breaker's alone (one layer), so the first write after Redis answers again goes through."""
    settings = {"recovery_probe_interval": 60}  # no probe could end a back-off of the manager's during the test
    manager = await RedisStreamManager(address=aof_server.url, config=StreamsConfig(
        stream_manager="redis", connection_str=aof_server.url, initial_backoff_seconds=30, max_backoff_seconds=60,
        settings=settings,
    )).connect()
    try:
        await publish(manager, stream_name, [something(1)])
        aof_server.stop()
        for value in (2, 3):
            with pytest.raises(StreamOSError, match="Cannot write 1 message"):
                await publish(manager, stream_name, [something(value)])
        aof_server.start()
        await publish(manager, stream_name, [something(4)])
        client = aioredis.Redis.from_url(aof_server.url)
        assert await client.xlen(stream_name) == 2
        await client.aclose()
    finally:
        await manager.close()
