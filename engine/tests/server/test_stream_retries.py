"""STREAM events with retries (``stream.max_retries``): failed messages run again after growing delays."""

import logging
import uuid
from typing import AsyncIterator

import pytest
from hopeit.app.config import AppConfig, EventStreamConfig
from hopeit.contracts.settings import LoggingConfig, ServerConfig, StreamsConfig
from hopeit.server import logger as logger_module
from hopeit.server.engine import AppEngine
from hopeit.server.stream_retries import RetryPolicy
from hopeit.streams.memory import MemoryStreamManager
from hopeit.testing.apps import config
from steps_app import CONFIG, LoopData
from steps_app.events import loop_stream

from server.conftest import Records
from server.test_stream_loop import GROUP, memory, write


def retrying_config(**stream: object) -> AppConfig:
    result = config(CONFIG)
    result.settings["loop_stream"]["stream"].update(stream)
    result.setup()  # effective settings again, with the retries
    result.server = ServerConfig(
        streams=StreamsConfig(connection_str=f"test-{uuid.uuid4()}", delay_auto_start_seconds=0),
        logging=LoggingConfig(log_level="DEBUG"),
    )
    return result


@pytest.fixture
async def engine() -> AsyncIterator[AppEngine]:
    saved = (logger_module._config, logger_module._engine_name)
    app_config = retrying_config(max_retries=2, retry_backoff_ms=1, retry_max_backoff_ms=2)
    app_engine = await AppEngine(app_config=app_config, plugins=[]).start()
    loop_stream.SEEN.clear()
    loop_stream.RUNS.clear()
    yield app_engine
    await app_engine.stop()
    MemoryStreamManager.clear(app_engine.streams_config.connection_str)
    logger_module.init_logger(*saved)


async def test_a_message_that_succeeds_on_a_retry_is_acked(engine: AppEngine, records: Records) -> None:
    await write(engine, LoopData(id="twice", action="flaky:2"))
    await write(engine, LoopData(id="ok"))
    await engine.read_stream(event_name="loop_stream", max_events=2, wait_start=False)
    assert loop_stream.RUNS == {"twice": 3}  # each retry ran from the payload as read, not as a failed run left it
    assert sorted(loop_stream.SEEN) == ["ok", "twice"]
    assert memory(engine).pending("steps_app.in", GROUP) == []
    warnings = [line for line in records.lines(logging.WARNING) if line.startswith("WARNING Attempt")]
    assert warnings[0].startswith("WARNING Attempt 1 of 3 failed, retrying in 1 ms: ValueError: flaky twice run 1")
    assert warnings[1].startswith("WARNING Attempt 2 of 3 failed, retrying in 2 ms: ValueError: flaky twice run 2")
    assert "stream.queue=AUTO" in warnings[0] and "track.request_id=r1" in warnings[0]
    assert not [line for line in records.lines(logging.ERROR) if "FAILED" in line]


async def test_a_message_failing_every_attempt_fails_once(engine: AppEngine, records: Records) -> None:
    await write(engine, LoopData(id="never", action="flaky:9"))
    await engine.read_stream(event_name="loop_stream", max_events=1, wait_start=False)
    assert loop_stream.RUNS == {"never": 3}
    [pending] = memory(engine).pending("steps_app.in", GROUP)
    assert pending.delivery_count == 1
    failed = [line for line in records.lines(logging.ERROR) if line.startswith("ERROR FAILED")]
    assert len(failed) == 1


async def test_refused_messages_and_timeouts(engine: AppEngine, records: Records) -> None:
    await write(engine, LoopData(id="bad", action="bad"))
    await write(engine, LoopData(id="slow", action="slow"))
    await engine.read_stream(event_name="loop_stream", max_events=2, wait_start=False)
    attempts = [line for line in records.lines(logging.WARNING) if line.startswith("WARNING Attempt")]
    assert [line.split(":")[0] for line in attempts] == ["WARNING Attempt 1 of 3 failed, retrying in 1 ms",
                                                         "WARNING Attempt 2 of 3 failed, retrying in 2 ms"]
    assert all("Stream processing timeout exceeded seconds=0.2" in line for line in attempts)  # BadRequest: no retry
    assert loop_stream.STARTED_SLOW.count("slow") >= 3
    assert len(memory(engine).pending("steps_app.in", GROUP)) == 2


def test_policy_delays_and_settings() -> None:
    assert RetryPolicy.of(EventStreamConfig()) is None
    policy = RetryPolicy.of(EventStreamConfig(max_retries=5, retry_backoff_ms=100, retry_max_backoff_ms=500))
    assert policy is not None and policy.attempts == 6
    assert policy.delays() == [0.1, 0.2, 0.4, 0.5, 0.5]
    with pytest.raises(ValueError, match="max_retries 0"):
        RetryPolicy(0, 10, 10)
    with pytest.raises(ValueError, match="the maximum at least the first delay"):
        RetryPolicy(1, 100, 10)


async def test_the_retry_count_is_kept_by_the_loop(engine: AppEngine) -> None:
    from hopeit.server.stream_loop import StreamReadLoop

    await write(engine, LoopData(id="once", action="flaky:1"))
    await write(engine, LoopData(id="twice", action="flaky:2"))
    loop = StreamReadLoop(engine, "loop_stream")
    engine._mark_running("loop_stream", "Stream")  # as read_stream does before it runs its loop
    await loop.run(max_events=2, stop_when_empty=False)
    assert loop.retries == 3 and loop_stream.RUNS == {"once": 2, "twice": 3}


async def test_retries_are_counted_in_the_metrics(engine: AppEngine) -> None:
    from hopeit.server import prometheus
    from hopeit.server.prometheus_export import enable_metrics
    from hopeit.server.stream_loop import StreamReadLoop
    from prometheus_client import generate_latest

    metrics = enable_metrics()
    try:
        await write(engine, LoopData(id="twice", action="flaky:2"))
        loop = StreamReadLoop(engine, "loop_stream")
        engine._mark_running("loop_stream", "Stream")
        await loop.run(max_events=1, stop_when_empty=False)
        assert metrics.exporter is not None
        text = generate_latest(metrics.exporter.registry).decode()
    finally:
        prometheus.use_metrics(None)
    labels = f'consumer_group="{GROUP}",stream="steps_app.in"'
    assert f"hopeit_stream_retried_total{{{labels}}} 2.0" in text
    assert f"hopeit_stream_consumed_total{{{labels}}} 1.0" in text
