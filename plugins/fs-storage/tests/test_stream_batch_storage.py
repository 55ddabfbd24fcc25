"""The stream batch storage event, run through the test kit and through a real AppEngine."""

import asyncio
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from batch_app import CONFIG, Something, something
from hopeit.app.config import AppConfig
from hopeit.app.context import EventContext
from hopeit.dataobjects.payload import Payload
from hopeit.fs_storage.events import stream_batch_storage
from hopeit.fs_storage.events._buffers import buffers
from hopeit.fs_storage.events.stream_batch_storage import FlushSignal
from hopeit.testing.apps import config, create_test_context, execute_event, execute_service
from hopeit.testing.waiting import wait_until


@pytest.fixture
def app_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppConfig]:
    monkeypatch.setenv("FS_STORAGE_TEST_PATH", str(tmp_path))
    buffers.clear()
    yield config(CONFIG)
    buffers.clear()


def batch_settings(app_config: AppConfig, event: str = "save_batch") -> Dict[str, Any]:
    """The event's own settings section, as its contexts read it."""
    assert app_config.effective_settings is not None
    section: Dict[str, Any] = app_config.effective_settings[event]["extras"]["_"]
    return section


def batch_path(app_config: AppConfig, event: str = "save_batch") -> Path:
    return Path(batch_settings(app_config, event)["path"])


def batch_files(path: Path) -> List[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file())


def read_items(files: List[Path]) -> List[Something]:
    return [Payload.from_json(line, Something) for file in files for line in file.read_text().splitlines()]


async def test_flush_by_batch_size(app_config: AppConfig) -> None:
    path = batch_path(app_config)
    assert path.name == "batch_app.1x0.save_batch.path"  # {auto} expanded
    assert await execute_event(app_config, "save_batch", something("1", day=1)) is None
    assert await execute_event(app_config, "save_batch", something("2", day=1)) is None
    assert await execute_event(app_config, "save_batch", something("x", day=2)) is None
    assert batch_files(path) == []
    await execute_event(app_config, "save_batch", something("3", day=1))  # third item in 2024/03/01
    files = batch_files(path)
    assert len(files) == 1
    assert files[0].parent == path / "2024" / "03" / "01"
    assert files[0].suffix == ".jsonlines"
    uuid.UUID(files[0].stem)
    assert files[0].read_text().endswith("\n")
    assert read_items(files) == [something("1", 1), something("2", 1), something("3", 1)]
    assert list(buffers[("batch_app.1x0", "save_batch")].partitions) == ["2024/03/02/"]


async def test_flush_by_time_from_service(app_config: AppConfig) -> None:
    path = batch_path(app_config)
    for i, day in enumerate([1, 1, 2]):
        await execute_event(app_config, "save_batch", something(str(i), day=day))
    assert batch_files(path) == []
    results = await execute_service(app_config, "save_batch", max_events=2)
    assert results == [None, None]
    files = batch_files(path)
    assert [f.parent.relative_to(path).as_posix() for f in files] in (
        ["2024/03/01", "2024/03/02"],
        ["2024/03/02", "2024/03/01"],
    )
    assert sorted(i.id for i in read_items(files)) == ["0", "1", "2"]
    assert not buffers[("batch_app.1x0", "save_batch")].partitions


async def test_no_partition_format_writes_into_path_not_root(app_config: AppConfig) -> None:
    path = batch_path(app_config, "save_flat")
    for i in range(5):
        await execute_event(app_config, "save_flat", something(str(i)))
    await execute_event(app_config, "save_flat", FlushSignal(partition_key=""))
    files = batch_files(path)
    assert len(files) == 1 and files[0].parent == path
    assert [i.id for i in read_items(files)] == ["0", "1", "2", "3", "4"]


async def test_flush_of_missing_partition_is_a_no_op(app_config: AppConfig) -> None:
    assert await execute_event(app_config, "save_batch", FlushSignal(partition_key="2030/01/01/")) is None
    assert batch_files(batch_path(app_config)) == []


async def test_service_stop_flushes_partial_batches(app_config: AppConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    path = batch_path(app_config)
    await execute_event(app_config, "save_batch", something("a", day=1))
    await execute_event(app_config, "save_batch", something("b", day=2))
    running = {"value": True}
    polls: List[bool] = []

    def service_running(context: EventContext) -> bool:
        polls.append(running["value"])
        return running["value"]

    monkeypatch.setattr(stream_batch_storage, "service_running", service_running)
    monkeypatch.setattr(stream_batch_storage, "STOP_POLL_SECONDS", 0.01)
    batch_settings(app_config)["flush_seconds"] = 3600  # never by time in this test
    context = create_test_context(app_config, "save_batch$__service__")

    async def run_service() -> List[FlushSignal]:
        return [signal async for signal in stream_batch_storage.__service__(context)]

    task = asyncio.ensure_future(run_service())
    await wait_until(lambda: len(polls) >= 3, what="the service to look at its stop flag a few times")
    assert batch_files(path) == []  # running: nothing is written before flush_seconds
    running["value"] = False  # what the engine does on stop
    assert await asyncio.wait_for(task, 5) == []
    assert sorted(i.id for i in read_items(batch_files(path))) == ["a", "b"]
    # items still arriving after the service stopped are written at once
    await execute_event(app_config, "save_batch", something("late", day=3))
    assert "late" in [i.id for i in read_items(batch_files(path))]


async def test_failed_write_keeps_items_for_next_flush(app_config: AppConfig, tmp_path: Path) -> None:
    blocker = tmp_path / "flat"
    blocker.write_text("a file where the folder should be")
    for i in range(2):
        await execute_event(app_config, "save_flat", something(str(i)))
    with pytest.raises(OSError):
        await execute_event(app_config, "save_flat", FlushSignal(partition_key=""))
    assert len(buffers[("batch_app.1x0", "save_flat")].partitions[""].lines) == 2
    blocker.unlink()
    await execute_event(app_config, "save_flat", something("2"))
    await execute_event(app_config, "save_flat", FlushSignal(partition_key=""))
    assert [i.id for i in read_items(batch_files(blocker))] == ["0", "1", "2"]


async def test_unsafe_partition_format_refused(app_config: AppConfig, tmp_path: Path) -> None:
    batch_settings(app_config)["partition_dateformat"] = "../../%Y"
    batch_settings(app_config)["flush_max_size"] = 1
    with pytest.raises(ValueError, match="partition key"):
        await execute_event(app_config, "save_batch", something("1"))
    assert batch_files(tmp_path) == []


async def test_plugin_app_events(app_config: AppConfig) -> None:
    from hopeit.fs_storage.events.flush_batches import FlushedBatches, FlushRequest
    from hopeit.fs_storage.plugin import config_path

    await execute_event(app_config, "save_batch", something("1", day=1))
    await execute_event(app_config, "save_flat", something("2"))
    plugin_config = config(config_path())
    assert plugin_config.app.name == "fs-storage"
    assert {name: event.plug_mode.value for name, event in plugin_config.events.items()} == {
        "batch_buffers": "OnApp",
        "flush_batches": "OnApp",
    }
    # run as the plugin app itself: it has no batch storage events of its own
    assert await execute_event(plugin_config, "batch_buffers", None) == []
    assert await execute_event(plugin_config, "flush_batches", FlushRequest()) == FlushedBatches()
    # OnApp: the engine runs them with the host app's key (context.app_key)
    host = create_test_context(app_config, "save_batch")
    on_app = create_test_context(plugin_config, "batch_buffers")
    on_app.app_key = host.app_key
    status = await execute_event(plugin_config, "batch_buffers", None, context=on_app)
    assert [(s.event, s.partition_key, s.items) for s in status] == [
        ("save_batch", "2024/03/01/", 1),
        ("save_flat", "", 1),
    ]
    on_app = create_test_context(plugin_config, "flush_batches")
    on_app.app_key = host.app_key
    result = await execute_event(plugin_config, "flush_batches", FlushRequest(event="save_flat"), context=on_app)
    assert isinstance(result, FlushedBatches) and len(result.files) == 1
    result = await execute_event(plugin_config, "flush_batches", FlushRequest(), context=on_app)
    assert len(result.files) == 1 and "2024/03/01" in result.files[0]
    on_app = create_test_context(plugin_config, "batch_buffers")
    on_app.app_key = host.app_key
    assert await execute_event(plugin_config, "batch_buffers", None, context=on_app) == []
