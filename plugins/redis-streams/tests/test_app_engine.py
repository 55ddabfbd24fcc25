"""End to end: a POST event publishes, a STREAM event consumes, through AppEngine and a real Redis."""

import asyncio
from pathlib import Path
from typing import Any, AsyncIterator, Dict

import pytest
import redis.asyncio as aioredis
from hopeit.app.context import EventContext
from hopeit.contracts.settings import LoggingConfig, ServerConfig, StreamsConfig
from hopeit.redis_streams import RedisStreamManager
from hopeit.server.engine import AppEngine
from hopeit.streams.circuit_breaker import StreamCircuitBreaker
from hopeit.testing.apps import config
from hopeit.testing.redis import RedisServer
from redis_streams_e2e import Order
from redis_streams_e2e.events import consume
from redis_streams_support import eventually

CONFIG = Path(__file__).parent / "redis_streams_e2e" / "config.json"


async def start_engine(url: str, log_path: Path, log_level: str = "INFO", **settings: Any) -> AppEngine:
    app_config = config(CONFIG)
    app_config.server = ServerConfig(
        streams=StreamsConfig(
            stream_manager="redis", connection_str=url, delay_auto_start_seconds=0,
            initial_backoff_seconds=0.05, max_backoff_seconds=0.2, settings=settings,
        ),
        logging=LoggingConfig(log_level=log_level, log_path=f"{log_path}/"),
    )
    return await AppEngine(app_config=app_config, plugins=[], enabled_groups=[]).start()


@pytest.fixture
async def clean(redis_server: RedisServer) -> AsyncIterator["aioredis.Redis"]:
    client = aioredis.Redis.from_url(redis_server.url)
    await client.flushall()
    consume.SEEN.clear()
    consume.SESSIONS.clear()
    yield client
    await client.aclose()


def context(engine: AppEngine) -> EventContext:
    track_ids: Dict[str, str] = {
        "track.request_id": "r1", "track.request_ts": "2024-01-01T00:00:00+00:00",
        "track.operation_id": "op", "track.session_id": "session-1",
    }
    return engine.create_context("publish", track_ids, {"auth_type": "Unsecured", "allowed": "true"})


async def test_publish_from_event_and_consume_with_stream_event(
    redis_server: RedisServer, clean: "aioredis.Redis", tmp_path: Path
) -> None:
    engine = await start_engine(redis_server.url, tmp_path)
    try:
        breaker = engine.stream_manager
        assert isinstance(breaker, StreamCircuitBreaker)
        assert isinstance(breaker.stream_manager, RedisStreamManager)  # inside the engine's breaker
        stream = engine.effective_events["consume"].read_stream
        assert stream is not None
        last = await engine.execute(context=context(engine), query_args=None, payload=Order(count=120))
        assert last.index == 119
        assert await clean.xlen(stream.name) == 120
        await engine.read_stream(event_name="consume", max_events=120, wait_start=False)
        assert consume.SEEN == {i: 1 for i in range(120)}
        assert set(consume.SESSIONS.values()) == {"session-1"}  # track ids travel with the messages
        assert (await clean.xpending(stream.name, stream.consumer_group))["pending"] == 0
    finally:
        await engine.stop()


async def test_poison_message_through_the_engine(
    redis_server: RedisServer, clean: "aioredis.Redis", tmp_path: Path
) -> None:
    engine = await start_engine(redis_server.url, tmp_path, max_deliveries=2, claim_idle_ms=200, claim_interval_ms=50)
    try:
        stream = engine.effective_events["consume"].read_stream
        assert stream is not None
        await engine.execute(context=context(engine), query_args=None, payload=Order(count=30, poison=7))
        reading = asyncio.ensure_future(engine.read_stream(event_name="consume", wait_start=False))

        async def dead_lettered() -> bool:
            length: int = await clean.xlen(stream.name + ".dlq")
            return length == 1

        await eventually(dead_lettered, timeout=20)
        await engine.stop_event("consume")
        await reading
        assert consume.SEEN[7] == 2
        assert all(consume.SEEN[i] == 1 for i in range(30) if i != 7)
        assert (await clean.xpending(stream.name, stream.consumer_group))["pending"] == 0
        # the dead letter says what went wrong, not only where to look
        ((_, dead),) = await clean.xrange(stream.name + ".dlq")
        assert dead[b"dlq.error"].startswith(b"ValueError: cannot process poison item ")
        assert await clean.keys(stream.name + ".dlq.error.*") == []  # kept until dead-lettered, then dropped
    finally:
        await engine.stop()
