"""The smoke test every plugin ships: installed, found by name, loads, and satisfies the contract."""

import sys
from pathlib import Path

from acme_kvstore import SqliteStorage, __version__
from hopeit.contracts.discovery import GROUP_STORAGE, available, load_storage_class, loaded_plugins
from hopeit.storage import ObjectStorage, create_storage

if sys.version_info >= (3, 10):
    from importlib.metadata import entry_points
else:  # pragma: no cover
    from importlib_metadata import entry_points


def test_entry_point_is_declared() -> None:
    (entry,) = [ep for ep in entry_points(group=GROUP_STORAGE) if ep.name == "acme-sqlite"]
    assert entry.value == "acme_kvstore:SqliteStorage"
    assert "acme-sqlite" in available(GROUP_STORAGE)


def test_engine_loads_it_by_name() -> None:
    assert load_storage_class("acme-sqlite") is SqliteStorage
    info = [p for p in loaded_plugins() if p.group == GROUP_STORAGE and p.name == "acme-sqlite"]
    assert [(p.distribution, p.version) for p in info] == [("acme-hopeit-kvstore", __version__)]


async def test_instance_satisfies_the_protocol(tmp_path: Path) -> None:
    storage = create_storage("acme-sqlite", {"path": str(tmp_path / "db.sqlite")})
    assert isinstance(storage, SqliteStorage)
    assert isinstance(storage, ObjectStorage)
    await storage.close()
