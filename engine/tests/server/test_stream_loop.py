"""STREAM read loop: batches per queue, failures that leave messages pending (spec engine §10.5)."""

import asyncio
import logging
import uuid
from typing import Any, AsyncIterator, List

import pytest
from hopeit.app.config import AppConfig, Compression, Serialization
from hopeit.contracts.settings import LoggingConfig, ServerConfig, StreamsConfig
from hopeit.server import logger as logger_module
from hopeit.server.engine import AppEngine
from hopeit.server.stream_loop import StreamReadLoop, stream_datatypes
from hopeit.streams import StreamEvent
from hopeit.streams.memory import MemoryStreamManager
from hopeit.testing.apps import config
from hopeit.testing.waiting import wait_until
from steps_app import CONFIG, LoopData, LoopResult, OtherData
from steps_app.events import loop_stream

from server.conftest import Records

GROUP = "steps_app.1x0.loop_stream"


def app_config(**streams: Any) -> AppConfig:
    result = config(CONFIG)
    result.server = ServerConfig(
        streams=StreamsConfig(connection_str=f"test-{uuid.uuid4()}", delay_auto_start_seconds=0, **streams),
        logging=LoggingConfig(log_level="DEBUG"),
    )
    return result


@pytest.fixture
async def engine() -> AsyncIterator[AppEngine]:
    saved = (logger_module._config, logger_module._engine_name)
    app_engine = await AppEngine(app_config=app_config(initial_backoff_seconds=0.01), plugins=[]).start()
    yield app_engine
    await app_engine.stop()
    MemoryStreamManager.clear(app_engine.streams_config.connection_str)
    logger_module.init_logger(*saved)


async def write(engine: AppEngine, payload: Any, stream: str = "steps_app.in", queue: str = "AUTO") -> None:
    settings = engine.event_settings("loop_stream").stream
    assert engine.stream_manager is not None
    assert settings.compression is not None and settings.serialization is not None
    await engine.stream_manager.write_stream(
        stream_name=stream,
        queue=queue,
        payload=payload,
        track_ids={"track.request_id": "r1"},
        auth_info={},
        compression=settings.compression,
        serialization=settings.serialization,
    )


def memory(engine: AppEngine) -> MemoryStreamManager:
    manager: Any = engine.stream_manager
    return manager.stream_manager  # type: ignore[no-any-return]


async def test_reads_every_queue_and_propagates_queues(engine: AppEngine, records: Records) -> None:
    """Each configured queue is read; results go to the write stream of the message's queue (PROPAGATE)."""
    loop_stream.SEEN.clear()
    await write(engine, LoopData(id="a"))
    await write(engine, LoopData(id="h"), stream="steps_app.in.high", queue="high")
    last = await engine.read_stream(event_name="loop_stream", max_events=2, wait_start=False)
    assert sorted(loop_stream.SEEN) == ["a", "h"]
    assert isinstance(last, LoopResult)
    assert memory(engine).stream_length("steps_app.out") == 1
    assert memory(engine).stream_length("steps_app.out.high") == 1
    assert memory(engine).pending("steps_app.in", GROUP) == []
    lines = records.lines(logging.INFO)
    consuming = "INFO [loop_stream] Consuming stream steps_app.in group=steps_app.1x0.loop_stream"
    assert any(line.startswith(consuming) for line in lines)
    starts = [line for line in lines if line.startswith("INFO START")]
    dones = [line for line in lines if line.startswith("INFO DONE")]
    assert len(starts) == 2 and len(dones) == 2
    assert any("stream.queue=high" in line and "stream.name=steps_app.in.high" in line for line in starts)
    # stream_age is reported because the event logs stream.submit_ts and stream.read_ts (config stream_fields)
    assert all("metrics.duration=" in line and "metrics.stream_age=" in line for line in dones)
    stats = [line for line in lines if line.startswith("INFO [loop_stream] STATS")]
    assert stats and "metrics.stream.total_consumed_events=2" in stats[-1]


async def test_undecodable_messages_are_logged_and_stay_pending(engine: AppEngine, records: Records) -> None:
    """A message of a type the event does not read is an error item: logged, counted, not acked."""
    loop_stream.SEEN.clear()
    await write(engine, OtherData(name="x"))
    await write(engine, LoopData(id="good"))
    last = await engine.read_stream(event_name="loop_stream", max_events=2, wait_start=False)
    assert last == LoopResult(id="good", queue="steps_app.in") and loop_stream.SEEN == ["good"]
    assert len(memory(engine).pending("steps_app.in", GROUP)) == 1
    errors = records.lines(logging.ERROR)
    assert any("is not one of the types this event reads" in line for line in errors)
    assert any("metrics.stream.total_errors=1" in line for line in records.lines())


async def write_pickle(engine: AppEngine, payload: Any) -> None:
    """A message written as pickle, as a producer configured (or forged) to send pickle would."""
    assert engine.stream_manager is not None
    await engine.stream_manager.write_stream(
        stream_name="steps_app.in", queue="AUTO", payload=payload, track_ids={"track.request_id": "p1"},
        auth_info={}, compression=Compression.NONE, serialization=Serialization.PICKLE4,
    )


async def test_pickle_is_refused_unless_the_event_config_asks_for_it(engine: AppEngine, records: Records) -> None:
    """An event whose stream serialization is JSON refuses pickle messages: never decoded, dead-lettered,
    logged once, not left pending; the messages after it are processed."""
    loop_stream.SEEN.clear()
    await write_pickle(engine, LoopData(id="pickled"))
    await write(engine, LoopData(id="good"))
    last = await engine.read_stream(event_name="loop_stream", max_events=2, wait_start=False)
    assert last == LoopResult(id="good", queue="steps_app.in") and loop_stream.SEEN == ["good"]
    assert memory(engine).pending("steps_app.in", GROUP) == []
    [dead] = memory(engine).dead_letters("steps_app.in")
    assert dead["ser"] == "pickle:4" and dead["dlq.consumer_group"] == GROUP
    refusals = [line for line in records.lines(logging.ERROR) if "'pickle:4' is not allowed" in line]
    assert len(refusals) == 1 and "steps_app.in.dlq" in refusals[0]


async def test_pickle_is_read_where_the_event_config_asks_for_it(engine: AppEngine) -> None:
    """With a pickle serialization in the event's stream settings, pickle messages are read as in 0.24."""
    loop_stream.SEEN.clear()
    engine.event_settings("loop_stream").stream.serialization = Serialization.PICKLE5
    await write_pickle(engine, LoopData(id="pickled"))
    last = await engine.read_stream(event_name="loop_stream", max_events=1, wait_start=False)
    assert last == LoopResult(id="pickled", queue="steps_app.in") and loop_stream.SEEN == ["pickled"]
    assert memory(engine).dead_letters("steps_app.in") == []


async def test_failures_are_told_to_the_stream_manager(engine: AppEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a batch, the manager hears which messages failed and why (for their dead-letter entries)."""
    loop_stream.SEEN.clear()
    told: List[Any] = []

    async def record_failures(**kwargs: Any) -> None:
        told.append(kwargs)

    monkeypatch.setattr(memory(engine), "record_failures", record_failures)
    await write(engine, LoopData(id="fail", action="fail"))
    await write(engine, LoopData(id="ok"))
    await engine.read_stream(event_name="loop_stream", max_events=2, wait_start=False)
    [call] = told
    assert call["stream_name"] == "steps_app.in" and call["consumer_group"] == GROUP
    [(event, error)] = call["failures"]
    assert isinstance(event, StreamEvent) and event.payload == LoopData(id="fail", action="fail")
    assert "cannot process fail" in str(error)


async def test_timeout_fails_only_that_message(engine: AppEngine, records: Records) -> None:
    """A message taking longer than ``stream.timeout`` fails with the timeout message and stays pending."""
    loop_stream.SEEN.clear()
    await write(engine, LoopData(id="slow", action="slow"))
    await write(engine, LoopData(id="fast"))
    loop = asyncio.get_running_loop()
    started = loop.time()
    await engine.read_stream(event_name="loop_stream", max_events=2, wait_start=False)
    assert loop.time() - started < 2  # the 5 s step was cut at 0.2 s
    assert loop_stream.SEEN == ["fast"]
    [pending] = memory(engine).pending("steps_app.in", GROUP)
    assert pending.delivery_count == 1
    errors = records.lines(logging.ERROR)
    assert any("Stream processing timeout exceeded seconds=0.2" in line for line in errors)
    assert any(line.startswith("ERROR FAILED") and "stream.queue=AUTO" in line for line in errors)


async def test_bad_request_unauthorized_and_errors_do_not_kill_the_loop(engine: AppEngine, records: Records) -> None:
    """BadRequest/Unauthorized (BaseException) and ordinary errors fail their message; the loop goes on."""
    loop_stream.SEEN.clear()
    for action in ("bad", "unauthorized", "fail"):
        await write(engine, LoopData(id=action, action=action))
    await write(engine, LoopData(id="ok"))
    last = await engine.read_stream(event_name="loop_stream", max_events=4, wait_start=False)
    assert last == LoopResult(id="ok", queue="steps_app.in") and loop_stream.SEEN == ["ok"]
    assert len(memory(engine).pending("steps_app.in", GROUP)) == 3
    errors = "\n".join(records.lines(logging.ERROR))
    assert "bad request bad" in errors and "unauthorized unauthorized" in errors and "cannot process fail" in errors
    assert errors.count("ERROR FAILED") == 3
    await write(engine, LoopData(id="later"))
    await engine.read_stream(event_name="loop_stream", max_events=1, wait_start=False)
    assert loop_stream.SEEN == ["ok", "later"]


async def test_stop_when_empty_and_stop_event(engine: AppEngine) -> None:
    """``stop_when_empty`` returns once nothing is left; ``stop_event`` ends a running loop."""
    loop_stream.SEEN.clear()
    await write(engine, LoopData(id="one"))
    assert await engine.read_stream(event_name="loop_stream", stop_when_empty=True, wait_start=False) == LoopResult(
        id="one", queue="steps_app.in"
    )
    assert await engine.read_stream(event_name="loop_stream", stop_when_empty=True, wait_start=False) is None
    task = asyncio.ensure_future(engine.read_stream(event_name="loop_stream", wait_start=False))
    await wait_until(lambda: engine.is_running("loop_stream"))
    await engine.stop_event("loop_stream")
    assert await asyncio.wait_for(task, 2) is None
    assert not engine.is_running("loop_stream")


def group_failures(records: Records) -> int:
    """How many times the read loop logged that it could not create its consumer group."""
    return sum("Cannot create consumer group on steps_app.in" in line for line in records.lines(logging.ERROR))


async def test_consumer_group_creation_is_retried(engine: AppEngine, records: Records) -> None:
    """While the backend is unreachable, group creation is retried with backoff until it works."""
    inner = memory(engine)
    await inner.close()
    task = asyncio.ensure_future(engine.read_stream(event_name="loop_stream", stop_when_empty=True, wait_start=False))
    await wait_until(lambda: group_failures(records) >= 2, what="a second attempt to create the group")
    assert not task.done()
    await inner.connect()
    assert await asyncio.wait_for(task, 5) is None


async def test_stopping_while_groups_cannot_be_created(engine: AppEngine, records: Records) -> None:
    """A loop stopped while retrying group creation ends without reading."""
    await memory(engine).close()
    task = asyncio.ensure_future(engine.read_stream(event_name="loop_stream", wait_start=False))
    await wait_until(lambda: group_failures(records) >= 1, what="a failed attempt to create the group")
    await engine.stop_event("loop_stream")
    assert await asyncio.wait_for(task, 5) is None
    await memory(engine).connect()
    assert not engine.is_running("loop_stream")


async def test_stream_datatypes(engine: AppEngine) -> None:
    """Types come from step inputs with ``__stream_event__`` or the event's ``dataobjects``; else errors."""
    assert stream_datatypes(engine, "loop_stream") == {"steps_app.LoopData": LoopData}
    assert stream_datatypes(engine, "generic_typed") == {
        "steps_app.LoopResult": LoopResult,
        "steps_app.OtherData": OtherData,
    }
    with pytest.raises(NotImplementedError, match="event generic_untyped: no step takes a @dataobject"):
        stream_datatypes(engine, "generic_untyped")
    with pytest.raises(NotImplementedError, match="event text_stream"):
        stream_datatypes(engine, "text_stream")
    with pytest.raises(ImportError, match=r"dataobjects entry 'steps_app.NoSuchType' cannot be imported"):
        stream_datatypes(engine, "generic_bad_type")
    with pytest.raises(NotImplementedError):
        await engine.read_stream(event_name="generic_untyped", wait_start=False)
    assert not engine.is_running("generic_untyped")


async def test_event_without_read_stream(engine: AppEngine) -> None:
    """Only events with a read_stream have a read loop."""
    with pytest.raises(ValueError, match="event plain_get has no read_stream configured"):
        StreamReadLoop(engine, "plain_get")


async def test_streams_disabled() -> None:
    """Without a stream manager the loop refuses to start."""
    saved = (logger_module._config, logger_module._engine_name)
    engine = await AppEngine(app_config=app_config(), plugins=[], streams_enabled=False).start()
    try:
        with pytest.raises(RuntimeError, match="event loop_stream reads a stream but streams are not enabled"):
            await engine.read_stream(event_name="loop_stream", wait_start=False)
    finally:
        await engine.stop()
        logger_module.init_logger(*saved)


async def test_cancelled_processing_is_not_acked(engine: AppEngine, records: Records) -> None:
    """Cancelling the loop while a message is processed logs FAILED, leaves it pending and cancels the task."""
    engine.event_settings("loop_stream").stream.timeout = 30  # the step must still be running when cancelled
    loop_stream.STARTED_SLOW.clear()
    await write(engine, LoopData(id="slow", action="slow"))
    task = asyncio.ensure_future(engine.read_stream(event_name="loop_stream", wait_start=False))
    await wait_until(lambda: loop_stream.STARTED_SLOW == ["slow"], what="the slow step to start")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(memory(engine).pending("steps_app.in", GROUP)) == 1
    assert any(line.startswith("ERROR FAILED") for line in records.lines(logging.ERROR))
    assert not engine.is_running("loop_stream")


async def test_cancelled_before_waiting_steps_start_fails_each_message(engine: AppEngine, records: Records) -> None:
    """A loop cancelled after the messages of a batch started but before their waiting steps ran logs
    FAILED for each of them, leaves them pending, and leaves no coroutine un-awaited."""
    # the first message's step runs in the loop's task (later ones may run in tasks of their own) and cancels it
    for action in ("cancel", "slow", "slow"):
        await write(engine, LoopData(id=action, action=action), stream="steps_app.handed")
    with pytest.raises(asyncio.CancelledError):
        await engine.read_stream(event_name="handed_back_stream", wait_start=False)
    failed = [line for line in records.lines(logging.ERROR) if line.startswith("ERROR FAILED")]
    assert len(failed) == 3
    assert len(memory(engine).pending("steps_app.handed", "steps_app.1x0.handed_back_stream")) == 3
    assert not engine.is_running("handed_back_stream")
