# mypy: disable-error-code="arg-type, attr-defined, index, assignment, no-any-return"
# (mypy sees the fields of a @dataframe as row values, not columns: see the README, "Typing")
"""The plugin app: its packaged config, entry point and SETUP event (idempotent)."""

import json
import sys
from pathlib import Path

import pytest
from conftest import TESTS
from df_app import Values
from hopeit.contracts import codecs
from hopeit.dataframes import DataFrames
from hopeit.dataframes.codec import DataFramesCodec
from hopeit.dataframes.plugin import config_path
from hopeit.dataframes.serialization import storage as dataset_storage
from hopeit.dataframes.serialization.files import DatasetFileStorage
from hopeit.testing.apps import config, execute_event

if sys.version_info >= (3, 10):
    from importlib.metadata import entry_points
else:  # pragma: no cover
    from importlib_metadata import entry_points


def test_packaged_config_and_entry_point() -> None:
    packaged = json.loads(config_path().read_text())
    assert packaged["app"]["name"] == "dataframes"
    assert packaged["engine"]["import_modules"] == ["hopeit.dataframes"]
    assert packaged["settings"]["dataset_serialization"]["protocol"].endswith("files.DatasetFileStorage")
    assert packaged["events"]["setup.dataframes"]["type"] == "SETUP"
    [found] = [ep for ep in entry_points(group="hopeit.plugins") if ep.name == "dataframes"]
    assert found.load() is config_path


async def test_setup_event_twice_registers_once(data_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(data_path)  # the test harness logs under ./logs
    plugin = config(TESTS / "df_app" / "config" / "plugin-config.json")
    try:
        await execute_event(plugin, "setup.dataframes", None)
        first = dataset_storage.current_storage()
        await execute_event(plugin, "setup.dataframes", None)
        assert [type(c) for c in codecs.REGISTERED] == [DataFramesCodec]  # replaced, not wrapped twice
        storage = dataset_storage.current_storage()
        assert isinstance(storage, DatasetFileStorage) and storage is not first
        pointer = await DataFrames.serialize(Values(value=[1.0]))
        assert (data_path / "datasets" / pointer.partition_key / pointer.key).exists()
    finally:
        codecs.unregister_codec("hopeit.dataframes")
        dataset_storage.configure(None)
