"""Fixtures: dataset serialization under a temporary folder, and df-app configs and engines."""

from pathlib import Path
from typing import Any, AsyncIterator, Dict, Iterator, List

import pandas as pd
import pytest
from hopeit.contracts import codecs
from hopeit.contracts.settings import LoggingConfig, ServerConfig, StreamsConfig
from hopeit.dataframes.serialization import storage as dataset_storage
from hopeit.dataframes.serialization.dataset import DatasetSerialization
from hopeit.dataframes.setup.dataframes import setup_serialization
from hopeit.server.engine import AppEngine
from hopeit.testing.apps import config

pytest_plugins = ["hopeit.testing.redis"]

TESTS = Path(__file__).parent
APP_CONFIG = TESTS / "df_app" / "config" / "app-config.json"
FILES_PROTOCOL = "hopeit.dataframes.serialization.files.DatasetFileStorage"


@pytest.fixture
def data_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    monkeypatch.setenv("DF_APP_DATA", str(path))
    return path


@pytest.fixture
def datasets(data_path: Path) -> Iterator[Path]:
    """Datasets saved under ``<data>/datasets`` (fs-storage), the codec registered; both undone after."""
    location = data_path / "datasets"
    setup_serialization(DatasetSerialization(protocol=FILES_PROTOCOL, location=str(location),
                                             partition_dateformat="%Y/%m/%d/%H/"))
    yield location
    codecs.unregister_codec("hopeit.dataframes")
    dataset_storage.configure(None)


def parquet_files(location: Path) -> List[Path]:
    return sorted(p for p in location.rglob("*.parquet"))


def readings_frame(rows: int = 4) -> pd.DataFrame:
    return pd.DataFrame({
        "sensor": [f"s{i % 3}" for i in range(rows)],
        "value": [float(i) - (3.0 if i == 1 else 0.0) for i in range(rows)],
        "count": list(range(rows)),
        "at": pd.to_datetime(["2024-01-01T00:00:00"] * rows),
    })


async def start_engine(log_path: Path, streams: StreamsConfig) -> AppEngine:
    app_config = config(APP_CONFIG)
    app_config.server = ServerConfig(streams=streams, logging=LoggingConfig(log_level="INFO", log_path=f"{log_path}/"))
    return await AppEngine(app_config=app_config, plugins=[], enabled_groups=[]).start()


def request_context(engine: AppEngine, event_name: str) -> Any:
    track_ids: Dict[str, str] = {"track.request_id": "r1", "track.request_ts": "2024-01-01T00:00:00+00:00",
                                 "track.operation_id": "op"}
    return engine.create_context(event_name, track_ids, {"auth_type": "Unsecured", "allowed": "true"})


@pytest.fixture
async def memory_engine(datasets: Path, tmp_path: Path) -> AsyncIterator[AppEngine]:
    engine = await start_engine(tmp_path, StreamsConfig(stream_manager="memory", delay_auto_start_seconds=0))
    yield engine
    await engine.stop()

