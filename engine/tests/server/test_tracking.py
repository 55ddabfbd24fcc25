"""Track ids of new operations: one builder for web requests, SETUP runs and SERVICE items."""

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator, Dict, List

import pytest
from hopeit.server.config import ServerConfig, StreamsConfig
from hopeit.server.engine import AppEngine
from hopeit.server.runtime import run_setup_event
from hopeit.server.tracking import new_track_ids, next_operation
from hopeit.testing.apps import config
from mock_app import MOCK_APP_CONFIG

KEYS = {"track.operation_id", "track.request_id", "track.request_ts"}


def _check_new(ids: Dict[str, str]) -> None:
    assert KEYS <= set(ids)
    uuid.UUID(ids["track.operation_id"])
    uuid.UUID(ids["track.request_id"])
    assert ids["track.operation_id"] != ids["track.request_id"]
    when = datetime.fromisoformat(ids["track.request_ts"])
    assert when.utcoffset() == timedelta(0)
    assert abs(datetime.now(tz=timezone.utc) - when) < timedelta(seconds=60)


def test_new_track_ids_are_new_each_time() -> None:
    first, second = new_track_ids(), new_track_ids()
    _check_new(first)
    _check_new(second)
    assert set(first) == set(second) == KEYS
    assert first["track.operation_id"] != second["track.operation_id"]
    assert first["track.request_id"] != second["track.request_id"]


def test_next_operation_keeps_the_request() -> None:
    ids = {**new_track_ids(), "track.session_id": "s1"}
    following = next_operation(ids)
    assert following["track.operation_id"] != ids["track.operation_id"]
    assert {k: v for k, v in following.items() if k != "track.operation_id"} == {
        k: v for k, v in ids.items() if k != "track.operation_id"}
    assert next_operation(ids) != following  # the original is left as it was


@pytest.fixture
async def engine() -> AsyncIterator[AppEngine]:
    app_config = config(MOCK_APP_CONFIG)
    app_config.server = ServerConfig(streams=StreamsConfig(connection_str=f"test-{uuid.uuid4()}",
                                                           delay_auto_start_seconds=0))
    app_engine = await AppEngine(app_config=app_config, plugins=[], enabled_groups=[]).start()
    yield app_engine
    await app_engine.stop()


def _spy_contexts(engine: AppEngine) -> List[Dict[str, str]]:
    made: List[Dict[str, str]] = []
    create = engine.create_context

    def spy(event_name: str, track_ids: Dict[str, str], *args: Any, **kwargs: Any) -> Any:
        made.append(dict(track_ids))
        return create(event_name, track_ids, *args, **kwargs)

    engine.create_context = spy  # type: ignore[method-assign]
    return made


async def test_setup_runs_and_service_items_start_new_operations(engine: AppEngine) -> None:
    made = _spy_contexts(engine)
    await run_setup_event(engine, "mock_setup", engine.app_config)
    [setup] = made
    _check_new(setup)
    made.clear()
    await engine.service_loop(event_name="mock_service", max_events=2, wait_start=False)
    service, *items = made
    assert len(items) == 2
    for ids in (service, *items):
        _check_new(ids)
        assert (ids["track.request_id"], ids["track.request_ts"]) == (
            service["track.request_id"], service["track.request_ts"])  # one request: the service run
    assert len({ids["track.operation_id"] for ids in made}) == 3  # an operation per item
