"""Whatever way an event runs, what its steps await runs under the event's time limit.

A plain ``def`` step may hand back a coroutine; the engine awaits it, and it must then be bounded
like the coroutine of an ``async def`` step: by ``response_timeout`` for requests, SETUP and
SERVICE items, by ``stream.timeout`` for messages read from a stream (spec engine §7, §10.5).
Each call below is also bounded by the test (``_GUARD``), so an engine that awaits such a
coroutine without a time limit fails here instead of hanging.
"""

import asyncio
import logging
import uuid
from typing import AsyncIterator, Dict, List

import pytest
from hopeit.server import logger as logger_module
from hopeit.server.config import LoggingConfig, ServerConfig, StreamsConfig
from hopeit.server.engine import AppEngine
from hopeit.server.runtime import run_setup_event
from hopeit.streams.memory import MemoryStreamManager
from hopeit.testing.apps import config
from steps_app import CONFIG, LoopData, LoopResult
from steps_app.events import handed_back_setup

from server.conftest import Records

#: seconds the test waits before calling the engine stuck (the events' own limits are 0.05 s)
_GUARD = 3.0

_IDS: Dict[str, str] = {
    "track.request_id": "r1",
    "track.request_ts": "2024-01-01T00:00:00+00:00",
    "track.operation_id": "op",
}


@pytest.fixture
async def engine() -> AsyncIterator[AppEngine]:
    saved = (logger_module._config, logger_module._engine_name)
    app_config = config(CONFIG)
    app_config.server = ServerConfig(
        streams=StreamsConfig(connection_str=f"test-{uuid.uuid4()}", delay_auto_start_seconds=0),
        logging=LoggingConfig(log_level="DEBUG"),
    )
    app_engine = await AppEngine(app_config=app_config, plugins=[]).start()
    yield app_engine
    await app_engine.stop()
    MemoryStreamManager.clear(app_engine.streams_config.connection_str)
    logger_module.init_logger(*saved)


def _errors(records: Records) -> List[str]:
    """The message and extra column of the lines logged at ERROR."""
    return [line.split(" ", 1)[1] for line in records.lines(logging.ERROR)]


async def test_request_awaits_a_handed_back_coroutine_within_response_timeout(engine: AppEngine) -> None:
    """The one-step shortcut of ``execute`` used to await the coroutine of a plain step with no limit."""
    context = engine.create_context("handed_back", _IDS, {})
    quick = await engine.execute(context=context, query_args=None, payload=LoopData(id="q"))
    assert quick == LoopResult(id="q", queue="handed back")
    with pytest.raises(TimeoutError, match=r"^Response timeout exceeded seconds=0\.05$"):
        await asyncio.wait_for(
            engine.execute(context=context, query_args=None, payload=LoopData(id="s", action="slow")), _GUARD
        )


async def test_setup_event_awaits_a_handed_back_coroutine_within_response_timeout(engine: AppEngine) -> None:
    """A SETUP event runs as a request does: its step's coroutine is bounded by ``response_timeout``."""
    assert await run_setup_event(engine, "handed_back_setup", engine.app_config) == "set up"
    handed_back_setup.HOLD.append(True)
    try:
        with pytest.raises(TimeoutError, match=r"^Response timeout exceeded seconds=0\.05$"):
            await asyncio.wait_for(run_setup_event(engine, "handed_back_setup", engine.app_config), _GUARD)
    finally:
        handed_back_setup.HOLD.clear()


async def test_service_item_awaits_a_handed_back_coroutine_within_response_timeout(
    engine: AppEngine, records: Records
) -> None:
    """A SERVICE item whose step's coroutine outlives ``response_timeout`` fails; the loop ends normally."""
    await asyncio.wait_for(engine.service_loop(event_name="handed_back_service", wait_start=False), _GUARD)
    assert any("Response timeout exceeded seconds=0.05" in line for line in _errors(records))
    assert any(line.startswith("FAILED") for line in _errors(records))


async def test_stream_message_awaits_a_handed_back_coroutine_within_stream_timeout(
    engine: AppEngine, records: Records
) -> None:
    """A message whose plain step hands back a coroutine fails at ``stream.timeout`` and stays pending,
    while the quick message of the same batch is processed and acknowledged."""
    manager = engine.stream_manager
    assert manager is not None
    stream = engine.event_settings("handed_back_stream").stream
    assert stream.compression is not None and stream.serialization is not None
    for payload in (LoopData(id="slow", action="slow"), LoopData(id="quick")):
        await manager.write_stream(
            stream_name="steps_app.handed", queue="AUTO", payload=payload, track_ids={}, auth_info={},
            compression=stream.compression, serialization=stream.serialization,
        )
    last = await asyncio.wait_for(
        engine.read_stream(event_name="handed_back_stream", max_events=2, wait_start=False), _GUARD
    )
    assert last == LoopResult(id="quick", queue="handed back")
    assert any("Stream processing timeout exceeded seconds=0.05" in line for line in _errors(records))
    inner: MemoryStreamManager = manager.stream_manager  # type: ignore[attr-defined]
    [pending] = inner.pending("steps_app.handed", "steps_app.1x0.handed_back_stream")
    assert pending.delivery_count == 1
    # alone in its batch, the message's steps are awaited in the loop's own task: the same limit applies
    records.records.clear()
    await manager.write_stream(
        stream_name="steps_app.handed", queue="AUTO", payload=LoopData(id="alone", action="slow"), track_ids={},
        auth_info={}, compression=stream.compression, serialization=stream.serialization,
    )
    assert await asyncio.wait_for(
        engine.read_stream(event_name="handed_back_stream", max_events=1, wait_start=False), _GUARD
    ) is None
    assert any("Stream processing timeout exceeded seconds=0.05" in line for line in _errors(records))
    assert len(inner.pending("steps_app.handed", "steps_app.1x0.handed_back_stream")) == 2


async def test_steps_that_never_wait_finish_without_a_coroutine(engine: AppEngine) -> None:
    """The fast path: steps that never suspend (plain ones, and coroutines that finish at once) finish
    in ``start_event`` itself, so no timer is started for them; a coroutine that suspends makes
    ``start_event`` hand back one for ``finish_event``."""
    plain = engine.create_context("plain_get", _IDS, {})
    assert engine.start_event(plain, "x") == "echo x"
    assert engine.start_event(plain, "y") == "echo y"  # once the event is known to be ready
    assert await engine.execute(context=plain, query_args=None, payload="z") == "echo z"
    waiting = engine.create_context("handed_back", _IDS, {})
    assert engine.start_event(waiting, LoopData(id="w")) == LoopResult(id="w", queue="handed back")
    outcome = engine.start_event(waiting, LoopData(id="p", action="pause"))
    assert asyncio.iscoroutine(outcome)
    assert await engine.finish_event(outcome, waiting) == LoopResult(id="p", queue="handed back")
