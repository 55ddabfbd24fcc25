"""AppEngine runs requests, stream read loops and service loops over the in-process stream manager."""

import asyncio
import uuid
from typing import Any, AsyncIterator, Dict, cast

import pytest
from hopeit.app.config import AppConfig
from hopeit.contracts.settings import ServerConfig, StreamsConfig
from hopeit.server.engine import AppEngine
from hopeit.server.runtime import Server
from hopeit.streams import StreamOSError
from hopeit.testing.apps import config
from hopeit.testing.waiting import wait_until
from mock_app import MOCK_APP_CONFIG, MockData, MockResult
from mock_app.events import mock_generic_stream, mock_setup, mock_stream


def _app_config() -> AppConfig:
    app_config = config(MOCK_APP_CONFIG)
    # every test gets its own in-process streams
    app_config.server = ServerConfig(streams=StreamsConfig(connection_str=f"test-{uuid.uuid4()}",
                                                           delay_auto_start_seconds=0))
    return app_config


@pytest.fixture
async def engine() -> AsyncIterator[AppEngine]:
    app_engine = await AppEngine(app_config=_app_config(), plugins=[], enabled_groups=[]).start()
    yield app_engine
    await app_engine.stop()


def _context(engine: AppEngine, event_name: str, **track: str) -> Any:
    track_ids: Dict[str, str] = {"track.request_id": "r1", "track.request_ts": "2024-01-01T00:00:00+00:00",
                                 "track.operation_id": "op", **track}
    return engine.create_context(event_name, track_ids, {"auth_type": "Unsecured", "allowed": True})


async def test_effective_events_include_stages_and_groups(engine: AppEngine) -> None:
    assert "mock_shuffle$consume" in engine.effective_events
    stage = engine.effective_events["mock_shuffle$consume"]
    assert stage.read_stream is not None and stage.read_stream.name == "mock_app.1x0.mock_shuffle.produce"
    assert stage.read_stream.consumer_group == "mock_app.1x0.mock_shuffle.consume"
    assert "mock_failing" in engine.effective_events
    only_default = AppEngine(app_config=_app_config(), plugins=[], enabled_groups=["other"])
    assert "mock_failing" not in only_default.effective_events


async def test_execute_publishes_and_stream_event_consumes(engine: AppEngine) -> None:
    mock_stream.SEEN.clear()
    result = await engine.execute(context=_context(engine, "mock_spawn", **{"track.session_id": "s1"}),
                                  query_args={"n": "2"}, payload=None)
    assert result.id == "1b"
    last = await engine.read_stream(event_name="mock_stream", max_events=4, wait_start=False)
    assert mock_stream.SEEN == ["0a", "0b", "1a", "1b"]  # read in the order they were published
    # read_stream returns the result of the last message; the session id travelled with the messages
    assert last == MockResult(id="1b", processed="s1")


async def test_generic_dataobject_stream_reads_configured_types(engine: AppEngine) -> None:
    mock_generic_stream.COLLECTED.clear()
    await engine.execute(context=_context(engine, "mock_spawn"), query_args={"n": "1"}, payload=None)
    await engine.read_stream(event_name="mock_stream", max_events=2, wait_start=False)
    await engine.read_stream(event_name="mock_generic_stream", max_events=2, wait_start=False)
    assert sorted(cast(MockData, r).id for r in mock_generic_stream.COLLECTED) == ["0a", "0b"]


async def test_failed_message_stays_pending_and_loop_goes_on(engine: AppEngine) -> None:
    mock_stream.SEEN.clear()
    assert engine.stream_manager is not None
    stream = engine.event_settings("mock_stream").stream
    assert stream.compression is not None and stream.serialization is not None
    for value in ("ok", "fail", "ok"):
        await engine.stream_manager.write_stream(
            stream_name="mock_app.spawned", queue="AUTO", payload=MockData(id=value + str(len(mock_stream.SEEN)),
                                                                           value=value),
            track_ids={}, auth_info={}, compression=stream.compression, serialization=stream.serialization)
    await engine.read_stream(event_name="mock_stream", max_events=3, wait_start=False)
    assert len(mock_stream.SEEN) == 2
    pending = engine.stream_manager.pending("mock_app.spawned", "mock_app.1x0.mock_stream")  # type: ignore[attr-defined]
    assert len(pending) == 1


async def test_shuffle_stage_runs_as_stream_event(engine: AppEngine) -> None:
    await engine.execute(context=_context(engine, "mock_shuffle"), query_args={"n": "3"}, payload=None)
    last = await engine.read_stream(event_name="mock_shuffle$consume", max_events=3, wait_start=False)
    assert last.processed.startswith("stage2:")


async def test_queues_write_to_suffixed_streams(engine: AppEngine) -> None:
    await engine.execute(context=_context(engine, "mock_post"), query_args=None, payload=MockData(id="q", value="v"))
    manager: Any = engine.stream_manager
    assert manager.stream_length("mock_app.1x0.mock_post") == 1
    assert manager.stream_length("mock_app.1x0.mock_post.high") == 1


async def test_service_loop_runs_until_stopped(engine: AppEngine) -> None:
    task = asyncio.ensure_future(engine.service_loop(event_name="mock_service", wait_start=False))
    manager: Any = engine.stream_manager
    await wait_until(lambda: manager.stream_length("mock_app.spawned") >= 2, what="items of the running service")
    assert engine.is_running("mock_service")
    with pytest.raises(RuntimeError, match="already running"):
        await engine.service_loop(event_name="mock_service", wait_start=False)
    await engine.stop_event("mock_service")
    last = await asyncio.wait_for(task, 2)
    assert last.id == "final"  # items yielded while winding down are still processed
    with pytest.raises(RuntimeError, match="Cannot stop non running event"):
        await engine.stop_event("mock_service")


async def test_stop_lets_running_read_loop_finish(engine: AppEngine) -> None:
    task = asyncio.ensure_future(engine.read_stream(event_name="mock_stream", wait_start=False))
    await wait_until(lambda: engine.is_running("mock_stream"))
    await engine.stop()
    assert task.done() and not engine.is_running("mock_stream")


async def test_response_timeout() -> None:
    app_config = _app_config()
    app_config.effective_settings["mock_throttle"]["response_timeout"] = 0.05  # type: ignore[index]
    engine = await AppEngine(app_config=app_config, plugins=[]).start()
    try:
        with pytest.raises(TimeoutError, match=r"Response timeout exceeded seconds=0\.05"):
            await engine.execute(context=_context(engine, "mock_throttle"), query_args=None, payload=None)
    finally:
        await engine.stop()


async def test_throttle_spaces_results(engine: AppEngine) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await engine.execute(context=_context(engine, "mock_throttle"), query_args=None, payload=None) == "2"
    assert loop.time() - started >= 0.06


async def test_runtime_starts_apps_and_runs_setup() -> None:
    server = Server()
    app_config = _app_config()
    await server.start(config=app_config.server)  # type: ignore[arg-type]
    before = len(mock_setup.CALLS)
    engine = await server.start_app(app_config)
    assert len(mock_setup.CALLS) == before + 1
    assert server.app_engine(app_key="mock_app.1x0") is engine
    with pytest.raises(KeyError, match="not started"):
        server.app_engine(app_key="other.1x0")
    await server.stop()
    assert server.app_engines == {}


async def test_inline_batch_ack_failure_leaves_messages_pending(engine: AppEngine) -> None:
    """Plain-function events run a batch inline, then ack; a failed ack fails that message (it stays pending)."""
    mock_generic_stream.COLLECTED.clear()
    manager: Any = engine.stream_manager
    await engine.execute(context=_context(engine, "mock_post"), query_args=None, payload=MockData(id="x"))
    await engine.stream_manager.write_stream(  # type: ignore[union-attr]
        stream_name="mock_app.processed", queue="AUTO", payload=MockResult(id="r", processed="p"),
        track_ids={}, auth_info={}, compression=engine.event_settings("mock_stream").stream.compression,  # type: ignore[arg-type]
        serialization=engine.event_settings("mock_stream").stream.serialization)  # type: ignore[arg-type]

    async def failing_ack(**kwargs: Any) -> int:
        raise StreamOSError("backend gone")

    manager.ack_read_stream_batch = failing_ack
    last = await engine.read_stream(event_name="mock_generic_stream", max_events=1, wait_start=False)
    assert last is None and [cast(MockResult, r).id for r in mock_generic_stream.COLLECTED] == ["r"]
    del manager.ack_read_stream_batch
    assert len(manager.pending("mock_app.processed", "mock_app.1x0.mock_generic_stream")) == 1
