"""End to end: the batch storage event under a real AppEngine over the in-process stream manager.

Nothing buffered is lost when the engine stops: the service loop writes the last partial
batches once its running flag is cleared.
"""

import asyncio
import uuid
from pathlib import Path
from typing import AsyncIterator

import pytest
from batch_app import CONFIG, Something, something
from hopeit.contracts.settings import ServerConfig, StreamsConfig
from hopeit.dataobjects.payload import Payload
from hopeit.fs_storage.events import stream_batch_storage
from hopeit.fs_storage.events._buffers import buffers
from hopeit.server.engine import AppEngine
from hopeit.testing.apps import config
from hopeit.testing.waiting import wait_until


@pytest.fixture
async def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[AppEngine]:
    monkeypatch.setenv("FS_STORAGE_TEST_PATH", str(tmp_path))
    monkeypatch.setattr(stream_batch_storage, "STOP_POLL_SECONDS", 0.05)
    buffers.clear()
    app_config = config(CONFIG)
    app_config.server = ServerConfig(
        streams=StreamsConfig(connection_str=f"test-{uuid.uuid4()}", delay_auto_start_seconds=0)
    )
    assert app_config.effective_settings is not None
    app_config.effective_settings["save_batch"]["extras"]["_"]["flush_seconds"] = 3600  # only size and stop
    app_config.engine.read_stream_timeout = 50
    app_config.engine.read_stream_interval = 20
    app_engine = await AppEngine(app_config=app_config, plugins=[], enabled_groups=[]).start()
    yield app_engine
    buffers.clear()


async def test_engine_stop_writes_last_partial_batch(engine: AppEngine, tmp_path: Path) -> None:
    settings = engine.event_settings("save_batch").stream
    assert settings.compression is not None and settings.serialization is not None  # set by the app config
    manager = engine.stream_manager
    assert manager is not None  # the engine started
    for i in range(7):  # 3 + 3 flushed by size, the 7th stays buffered until stop
        await manager.write_stream(
            stream_name="batch_app.items",
            queue="AUTO",
            payload=something(str(i), day=1),
            track_ids={},
            auth_info={},
            compression=settings.compression,
            serialization=settings.serialization,
        )
    reader = asyncio.ensure_future(engine.read_stream(event_name="save_batch", wait_start=False))
    service = asyncio.ensure_future(engine.service_loop(event_name="save_batch$__service__", wait_start=False))
    path = Path(engine.event_settings("save_batch")(datatype=dict)["path"])
    await wait_until(lambda: len(list(path.rglob("*.jsonlines"))) == 2, what="the two batches flushed by size")
    await engine.stop()
    assert reader.done() and service.done()
    files = sorted(path.rglob("*.jsonlines"))
    assert len(files) == 3
    ids = sorted(Payload.from_json(line, Something).id for f in files for line in f.read_text().splitlines())
    assert ids == [str(i) for i in range(7)]
