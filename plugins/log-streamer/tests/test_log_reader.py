"""The ``log_reader`` SERVICE run by an AppEngine in this process, publishing to a real Redis."""

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List, Set
from typing import Counter as CounterType

import pytest
import redis.asyncio as aioredis
from conftest import append_lines, lifecycle_line
from hopeit.contracts.settings import LoggingConfig, ServerConfig, StreamsConfig
from hopeit.log_streamer import LogBatch, LogRawBatch
from hopeit.log_streamer.log_reader import process_log_data
from hopeit.log_streamer.parsing import counters
from hopeit.log_streamer.plugin import config_path
from hopeit.server.engine import AppEngine
from hopeit.streams.messages import decode_message, payload_type_name
from hopeit.testing.apps import config
from hopeit.testing.redis import RedisServer
from hopeit.testing.waiting import wait_until

STREAM = "hopeit.log-streamer.logs"


async def start_engine(url: str, tmp_path: Path, stream: Dict[str, Any]) -> AppEngine:
    app_config = config(config_path())
    settings = app_config.effective_settings
    assert settings is not None
    settings["log_reader"]["extras"]["_"].update(
        logs_path=f"{tmp_path}/logs/", checkpoint_path=f"{tmp_path}/checkpoints/", batch_size=3
    )
    settings["log_reader"]["stream"].update(stream)
    app_config.server = ServerConfig(
        streams=StreamsConfig(stream_manager="redis", connection_str=url, delay_auto_start_seconds=0,
                              initial_backoff_seconds=0.05, max_backoff_seconds=0.2),
        logging=LoggingConfig(log_level="INFO", log_path=f"{tmp_path}/engine-logs/"),
    )
    return await AppEngine(app_config=app_config, plugins=[], enabled_groups=[]).start()


async def request_ids(raw: "aioredis.Redis") -> CounterType[str]:
    """``track.request_id`` of every entry on the stream."""
    found: CounterType[str] = Counter()
    for msg_id, fields in await raw.xrange(STREAM):
        event = decode_message(fields, msg_id=msg_id, stream_name=STREAM, consumer_group="test",
                               datatypes={payload_type_name(LogBatch): LogBatch}, track_headers=[])
        assert not isinstance(event, Exception), event
        found.update(entry.extra["track.request_id"] for entry in event.payload.entries)
    return found


@pytest.fixture
async def redis_of_test() -> AsyncIterator[RedisServer]:
    server = RedisServer(extra_args=["--appendonly", "yes"]).start()
    yield server
    server.close()


async def run_service(engine: AppEngine) -> "asyncio.Task[Any]":
    task = asyncio.ensure_future(engine.service_loop(event_name="log_reader", wait_start=False))
    await wait_until(lambda: engine.is_running("log_reader"), what="service running")
    return task


async def stop_service(engine: AppEngine, task: "asyncio.Task[Any]") -> None:
    if engine.is_running("log_reader"):
        await engine.stop_event("log_reader")
    await asyncio.wait_for(task, timeout=30)
    await engine.stop()


async def test_publishes_each_line_once_and_survives_a_failed_write(redis_of_test: RedisServer,
                                                                    tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    append_lines(logs / "a.log", [lifecycle_line(n) for n in range(5)] + ["t | INFO | x | START | k=v"])
    unparsable = counters.unparsable
    engine = await start_engine(redis_of_test.url, tmp_path, {})
    task = await run_service(engine)
    raw = aioredis.Redis.from_url(redis_of_test.url)
    try:
        await wait_until(lambda: _ids_are(raw, {f"r{n}" for n in range(5)}), timeout=20, what="first lines")
        assert counters.unparsable == unparsable + 1

        redis_of_test.stop()  # the next writes fail: their lines must be read again
        parsed = counters.parsed
        append_lines(logs / "b.log", [lifecycle_line(n, "DONE") for n in range(5, 9)])
        await wait_until(lambda: counters.parsed >= parsed + 8, timeout=20, what="a batch parsed twice")
        redis_of_test.start()
        await raw.aclose()
        raw = aioredis.Redis.from_url(redis_of_test.url)
        await wait_until(lambda: _ids_are(raw, {f"r{n}" for n in range(9)}), timeout=30, what="every line")
        assert set((await request_ids(raw)).values()) == {1}
    finally:
        await stop_service(engine, task)
        await raw.aclose()
    assert sorted(p.name.split(".")[-3] for p in (tmp_path / "checkpoints").iterdir()) == sorted(
        f"{p.stat().st_dev}-{p.stat().st_ino}" for p in logs.iterdir()
    )


async def _ids_are(raw: "aioredis.Redis", expected: Set[str]) -> bool:
    try:
        return set(await request_ids(raw)) == expected
    except OSError:
        return False


async def test_a_stream_batch_size_other_than_one_still_publishes(redis_server: RedisServer, tmp_path: Path) -> None:
    raw = aioredis.Redis.from_url(redis_server.url)
    await raw.delete(STREAM)
    logs = tmp_path / "logs"
    logs.mkdir()
    append_lines(logs / "a.log", [lifecycle_line(n) for n in range(4)])
    engine = await start_engine(redis_server.url, tmp_path, {"batch_size": 100})
    task = await run_service(engine)
    try:
        await wait_until(lambda: _ids_are(raw, {f"r{n}" for n in range(4)}), timeout=20, what="lines published")
    finally:
        await stop_service(engine, task)
        await raw.aclose()


async def test_the_step_parses_and_sorts(make_context: Any) -> None:
    context = make_context()
    lines = [lifecycle_line(2, "DONE"), lifecycle_line(1), "garbage | START |"]
    batches: List[LogBatch] = [batch async for batch in process_log_data(LogRawBatch(data=lines), context)]
    assert [[entry.msg for entry in batch.entries] for batch in batches] == [["START", "DONE"]]
    assert [batch async for batch in process_log_data(LogRawBatch(data=["garbage"]), context)] == []
