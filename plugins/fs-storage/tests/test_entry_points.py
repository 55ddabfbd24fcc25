"""The plugin is installed: its entry points exist, load, and give the expected objects."""

import json
import sys
from pathlib import Path

from hopeit.contracts.discovery import GROUP_PLUGINS, GROUP_STORAGE, load_plugin_config_path, load_storage_class
from hopeit.fs_storage import FileStorage
from hopeit.storage import ObjectStorage, create_storage

if sys.version_info >= (3, 10):
    from importlib.metadata import entry_points
else:  # pragma: no cover
    from importlib_metadata import entry_points


def test_storage_entry_point(tmp_path: Path) -> None:
    names = {ep.name: ep for ep in entry_points(group=GROUP_STORAGE)}
    assert names["fs"].value == "hopeit.fs_storage:FileStorage"
    assert load_storage_class("fs") is FileStorage
    storage = create_storage("fs", {"path": str(tmp_path / "x")})
    assert isinstance(storage, FileStorage)
    assert isinstance(storage, ObjectStorage)


def test_plugin_app_entry_point() -> None:
    names = {ep.name for ep in entry_points(group=GROUP_PLUGINS)}
    assert "fs-storage" in names
    path = load_plugin_config_path("fs-storage")
    config = json.loads(path.read_text())
    assert config["app"] == {"name": "fs-storage", "version": "${HOPEIT_APPS_API_VERSION}"}
    assert {name: event["plug_mode"] for name, event in config["events"].items()} == {
        "batch_buffers": "OnApp",
        "flush_batches": "OnApp",
    }
