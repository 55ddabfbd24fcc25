"""Messages of a batch whose ``async def`` steps wait run at the same time, each in a task of its own (issue #19).

The read loop starts the messages of a batch in turn; those whose steps wait go on concurrently
within one ``stream.timeout`` (``loop_stream``: 0.2 s).
"""

import asyncio
import logging
import uuid
from typing import Any, AsyncIterator, Iterator, List

import pytest
from hopeit.app.config import AppConfig
from hopeit.contracts.settings import LoggingConfig, ServerConfig, StreamsConfig
from hopeit.server import logger as logger_module
from hopeit.server.engine import AppEngine
from hopeit.streams import StreamCircuitBreaker
from hopeit.streams.memory import MemoryStreamManager
from hopeit.testing.apps import config
from hopeit.testing.waiting import wait_until
from steps_app import CONFIG, LoopData
from steps_app.events import loop_stream

GROUP = "steps_app.1x0.loop_stream"
STREAM = "steps_app.in"


class Records(logging.Handler):
    """Keeps the messages the engine logs."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.getMessage()}")


def app_config(publishes: bool) -> AppConfig:
    result = config(CONFIG)
    if not publishes:  # the steps then run straight from the read loop, not inside the engine's publishing
        result.events["loop_stream"].write_stream = None
    result.server = ServerConfig(
        streams=StreamsConfig(connection_str=f"test-{uuid.uuid4()}", delay_auto_start_seconds=0),
        logging=LoggingConfig(log_level="INFO"),
    )
    return result


@pytest.fixture(params=[True, False], ids=["publishing", "not-publishing"])
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[AppEngine]:
    saved = (logger_module._config, logger_module._engine_name)
    app_engine = await AppEngine(app_config=app_config(request.param), plugins=[]).start()
    loop_stream.SEEN.clear()
    loop_stream.STARTED_SLOW.clear()
    yield app_engine
    await app_engine.stop()
    MemoryStreamManager.clear(app_engine.streams_config.connection_str)
    logger_module.init_logger(*saved)


@pytest.fixture
def records(engine: AppEngine) -> Iterator[Records]:
    handler = Records()
    logger = engine.event_logger("loop_stream").logger  # the event's lines go to its own logger, as in 0.24
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def memory(engine: AppEngine) -> MemoryStreamManager:
    breaker = engine.stream_manager
    assert isinstance(breaker, StreamCircuitBreaker) and isinstance(breaker.stream_manager, MemoryStreamManager)
    return breaker.stream_manager


async def write(engine: AppEngine, *payloads: Any) -> None:
    settings = engine.event_settings("loop_stream").stream
    assert engine.stream_manager is not None
    assert settings.compression is not None and settings.serialization is not None
    for payload in payloads:
        await engine.stream_manager.write_stream(
            stream_name=STREAM, queue="AUTO", payload=payload, track_ids={"track.request_id": "r1"}, auth_info={},
            compression=settings.compression, serialization=settings.serialization,
        )


async def test_waiting_steps_of_a_batch_run_at_the_same_time(engine: AppEngine) -> None:
    """Each message waits until all four arrived in the step: only steps running together get past."""
    loop_stream.MEETING[:] = [[], 4, asyncio.Event()]
    await write(engine, *(LoopData(id=f"m{i}", action="meet") for i in range(4)))
    await engine.read_stream(event_name="loop_stream", max_events=4, wait_start=False)
    assert sorted(loop_stream.SEEN) == ["m0", "m1", "m2", "m3"]
    assert memory(engine).pending(STREAM, GROUP) == []


async def test_a_time_limit_of_the_step_itself_stays_with_its_message(engine: AppEngine, records: Records) -> None:
    """A step's own ``wait_for`` belongs to the task running that step: when it expires it ends the
    step's wait, not the read loop or another message."""
    await write(engine, *(LoopData(id=f"t{i}", action="own_timeout") for i in range(3)), LoopData(id="plain"))
    await engine.read_stream(event_name="loop_stream", max_events=4, wait_start=False)
    assert sorted(loop_stream.SEEN) == ["plain", "t0", "t1", "t2"]
    assert memory(engine).pending(STREAM, GROUP) == []
    assert not [line for line in records.lines if line.startswith("ERROR")]


async def test_steps_still_waiting_at_the_deadline_fail_with_the_timeout(engine: AppEngine, records: Records) -> None:
    """Within a batch, the messages whose steps outlive ``stream.timeout`` fail with the event's timeout
    error and stay pending; the others, waiting or not, are processed and acknowledged."""
    await write(engine, LoopData(id="s1", action="slow"), LoopData(id="t", action="own_timeout"),
                LoopData(id="s2", action="slow"), LoopData(id="ok"))
    await engine.read_stream(event_name="loop_stream", max_events=4, wait_start=False)
    assert sorted(loop_stream.SEEN) == ["ok", "t"]
    assert len(memory(engine).pending(STREAM, GROUP)) == 2
    timeouts = [line for line in records.lines if "Stream processing timeout exceeded seconds=0.2" in line]
    assert len(timeouts) == 2


async def test_cancelling_the_loop_fails_every_waiting_message(engine: AppEngine, records: Records) -> None:
    """A loop cancelled while several steps wait cancels them, logs each FAILED and leaves them pending."""
    engine.event_settings("loop_stream").stream.timeout = 30  # the steps must still be waiting when cancelled
    await write(engine, LoopData(id="s1", action="slow"), LoopData(id="s2", action="slow"))
    task = asyncio.ensure_future(engine.read_stream(event_name="loop_stream", wait_start=False))
    await wait_until(lambda: sorted(loop_stream.STARTED_SLOW) == ["s1", "s2"], what="both slow steps to wait")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(memory(engine).pending(STREAM, GROUP)) == 2
    assert len([line for line in records.lines if line.startswith("ERROR FAILED")]) == 2
    assert not engine.is_running("loop_stream")
