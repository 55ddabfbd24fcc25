import json
from datetime import datetime, timezone
from pathlib import Path
from typing import List

import pytest
from hopeit.app.config import AppConfig
from hopeit.testing.apps import execute_event, execute_service
from simple_example.model import (
    ItemsCollected,
    ItemsInfo,
    Something,
    SomethingParams,
    SomethingStored,
    StatusType,
    User,
)


def something(item_id: str = "s-1") -> Something:
    return Something(id=item_id, user=User(id="u", name="Ana"))


async def test_something_event_submits(app_config: AppConfig) -> None:
    result = await execute_event(app_config, "streams.something_event", something())
    assert isinstance(result, Something)
    assert result.status is not None and result.status.type == StatusType.SUBMITTED
    assert result.history == []
    # the engine publishes to the high-prio queue of the stream
    write_stream = app_config.events["streams.something_event"].write_stream
    assert write_stream is not None
    assert write_stream.name == "simple_example.1x0.streams.something_event"
    assert write_stream.queues == ["high-prio"]


async def test_process_events_stores_and_returns_stored(app_config: AppConfig, data_path: Path) -> None:
    submitted = await execute_event(app_config, "streams.something_event", something("p-1"))
    stored = await execute_event(app_config, "streams.process_events", submitted)
    assert isinstance(stored, SomethingStored)
    assert stored.payload.status is not None and stored.payload.status.type == StatusType.PROCESSED
    assert [s.type for s in stored.payload.history] == [StatusType.SUBMITTED]
    assert Path(stored.path).is_file() and stored.path.startswith(str(data_path / "somethings"))
    found = await execute_event(app_config, "query_something", None, item_id="p-1")
    assert [s.type for s in found.history] == [StatusType.SUBMITTED, StatusType.PROCESSED]


async def test_stream_settings_by_stream_name(app_config: AppConfig) -> None:
    # the settings section keyed by the stream name applies to the events writing that stream
    settings = (app_config.effective_settings or {})["streams.something_event"]
    assert settings["stream"]["batch_size"] == 5 and settings["stream"]["target_max_len"] == 1000


async def test_service_generates_items(app_config: AppConfig) -> None:
    await execute_event(app_config, "setup_something", None)
    results = await execute_service(app_config, "service.something_generator", max_events=3)
    assert [r.id for r in results] == ["generated-0", "generated-1", "generated-2"]
    assert all(r.status.type == StatusType.NEW and r.user.name == "generator" for r in results)


async def test_service_requires_setup(app_config: AppConfig) -> None:
    with pytest.raises(RuntimeError, match="setup_something must run first"):
        await execute_service(app_config, "service.something_generator", max_events=1)


async def test_service_create_something_step(app_config: AppConfig) -> None:
    result = await execute_event(app_config, "service.something_generator", SomethingParams(id="g", user="x"))
    assert result.id == "g" and result.user == User(id="x", name="x")


async def test_collect_spawn_spawns_each_item(app_config: AppConfig) -> None:
    for item_id in ("k-1", "k-2"):
        await execute_event(app_config, "streams.process_events", something(item_id))
    result, count, _ = await execute_event(app_config, "collector.collect_spawn",
                                           ItemsInfo(item1_id="k-1", item2_id="k-2"), postprocess=True)
    assert count == 2
    assert [item.id for item in result] == ["k-1", "k-2"]


async def test_spawn_event_makes_three_stored_copies(app_config: AppConfig) -> None:
    results, body, response = await execute_event(app_config, "shuffle.spawn_event", something("sp"),
                                                  postprocess=True)
    stream = "simple_example.1x0.streams.process_events"
    assert body == f"events submitted to stream: {stream}"
    assert response.headers["X-Stream-Name"] == stream
    assert sorted(r.payload.id for r in results) == ["sp.0", "sp.1", "sp.2"]
    for stored in results:
        assert isinstance(stored, SomethingStored) and Path(stored.path).is_file()
        assert [s.type for s in stored.payload.history] == [StatusType.SUBMITTED]
        assert stored.payload.status is not None and stored.payload.status.type == StatusType.PROCESSED


async def test_parallelize_event_branches_by_type(app_config: AppConfig) -> None:
    results: List[SomethingStored] = await execute_event(app_config, "shuffle.parallelize_event", something("pa"))
    assert sorted(r.payload.id for r in results) == ["first_pa", "second_pa"]
    for stored in results:
        assert stored.payload.status is not None and stored.payload.status.type == StatusType.PROCESSED
        assert [s.type for s in stored.payload.history] == [StatusType.SUBMITTED]


async def test_parallelize_event_first_stage_forks(app_config: AppConfig) -> None:
    _, body, response = await execute_event(app_config, "shuffle.parallelize_event", something("pb"),
                                            postprocess=True)
    assert response.headers["X-Stream-Name"] == "simple_example.1x0.streams.process_events"
    assert body == "events submitted to stream: simple_example.1x0.streams.process_events"


async def test_batch_storage_writes_jsonlines(app_config: AppConfig, data_path: Path) -> None:
    # flush_max_size 1: every item is written at once
    app_config.settings["storage.save_events_fs"]["flush_max_size"] = 1
    app_config.setup()
    item = something("b-1")
    item.set_status(StatusType.PROCESSED, datetime(2024, 3, 5, 10, 30, tzinfo=timezone.utc))
    await execute_event(app_config, "storage.save_events_fs", SomethingStored(path="p", payload=item))
    files = list((data_path / "batches" / "2024" / "03" / "05" / "10").glob("*.jsonlines"))
    assert len(files) == 1
    lines = files[0].read_text().splitlines()
    assert [json.loads(line)["payload"]["id"] for line in lines] == ["b-1"]


async def test_items_collected_roundtrip() -> None:
    collected = ItemsCollected(items=[something("r")])
    assert ItemsCollected.from_json(collected.to_json()) == collected  # type: ignore[attr-defined]
