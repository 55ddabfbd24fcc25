"""redis-storage through the engine's storage protocol, and its entry point."""

import sys

import pytest
from conftest import Something, something
from hopeit.contracts.discovery import GROUP_STORAGE, load_storage_class
from hopeit.redis_storage import RedisObjectStorage, RedisStorage
from hopeit.storage import ItemLocator, ObjectStorage, create_storage
from hopeit.testing.redis import RedisServer

if sys.version_info >= (3, 10):
    from importlib.metadata import entry_points
else:  # pragma: no cover
    from importlib_metadata import entry_points


def test_entry_point() -> None:
    names = {ep.name: ep for ep in entry_points(group=GROUP_STORAGE)}
    assert names["redis"].value == "hopeit.redis_storage:RedisStorage"
    assert load_storage_class("redis") is RedisStorage


async def test_create_storage_and_protocol(redis_server: RedisServer) -> None:
    storage = create_storage("redis", {"address": f"{redis_server.url}/3"})
    assert isinstance(storage, RedisObjectStorage)
    assert isinstance(storage, ObjectStorage)
    try:
        await storage.storage._client().flushdb()
        assert await storage.store("p:1", something("p:1")) == "p:1"
        await storage.store("p:2", something("p:2"), px=60000)
        assert await storage.get("p:1", datatype=Something) == something("p:1")
        assert sorted(await storage.list_objects("p:*"), key=lambda x: x.item_id) == [
            ItemLocator("p:1"),
            ItemLocator("p:2"),
        ]
        assert await storage.storage.list_objects("p:1") == ["p:1"]  # the 0.24 API stays at .storage
        await storage.delete("p:1")
        assert await storage.get("p:1", datatype=Something) is None
        with pytest.raises(ValueError, match="no partitions"):
            await storage.get("p:2", datatype=Something, partition_key="2024")
        with pytest.raises(ValueError, match="no partitions"):
            await storage.delete("p:2", partition_key="2024")
    finally:
        await storage.close()


def test_settings_checked() -> None:
    with pytest.raises(ValueError, match="exactly 'address'"):
        RedisObjectStorage.from_settings({})
    with pytest.raises(ValueError, match="exactly 'address'"):
        RedisObjectStorage.from_settings({"address": "redis://x", "path": "/tmp"})
