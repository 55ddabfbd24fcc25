from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterator, List

import pytest
from hopeit.contracts.discovery import load_storage_class
from hopeit.dataobjects import dataobject
from hopeit.storage import ItemLocator, ObjectStorage, create_storage
from hopeit.storage.memory import MemoryStorage


@dataobject
@dataclass
class Part:
    name: str
    tags: List[str] = field(default_factory=list)


@dataobject(event_id="id", event_ts="ts")
@dataclass
class Thing:
    id: str
    ts: datetime
    parts: List[Part] = field(default_factory=list)


def thing(item_id: str, day: int = 1) -> Thing:
    return Thing(id=item_id, ts=datetime(2024, 3, day, 10, tzinfo=timezone.utc), parts=[Part("p", ["a"])])


@pytest.fixture(autouse=True)
def _clean_shared() -> Iterator[None]:
    yield
    MemoryStorage.clear_shared()


def test_entry_point_and_protocol() -> None:
    cls = load_storage_class("memory")
    assert cls is MemoryStorage
    storage = create_storage("memory", {})
    assert isinstance(storage, MemoryStorage)
    assert isinstance(storage, ObjectStorage)


async def test_store_get_returns_copies() -> None:
    storage = MemoryStorage()
    original = thing("1")
    assert await storage.store("1", original) == "1"
    original.parts[0].tags.append("changed-after-store")
    got = await storage.get("1", datatype=Thing)
    assert got == thing("1")
    assert got is not None
    got.parts.clear()
    assert await storage.get("1", datatype=Thing) == thing("1")
    assert await storage.get("missing", datatype=Thing) is None


async def test_list_and_delete_unpartitioned() -> None:
    storage = MemoryStorage()
    for key in ("a1", "a2", "b1"):
        await storage.store(key, thing(key))
    assert sorted(x.item_id for x in await storage.list_objects()) == ["a1", "a2", "b1"]
    assert [x.item_id for x in await storage.list_objects("b*")] == ["b1"]
    assert all(x.partition_key is None for x in await storage.list_objects())
    await storage.delete("a1", "a2")
    assert await storage.list_objects() == [ItemLocator("b1")]
    with pytest.raises(KeyError):
        await storage.delete("a1")


async def test_partitions_by_event_ts() -> None:
    storage = MemoryStorage(partition_dateformat="%Y/%m/%d/")
    assert await storage.store("1", thing("1", day=1)) == "2024/03/01/1"
    await storage.store("2", thing("2", day=2))
    assert await storage.get("1", datatype=Thing) is None
    assert await storage.get("1", datatype=Thing, partition_key="2024/03/01") == thing("1", 1)
    assert await storage.list_objects("*") == []  # like a glob, '*' does not cross partitions
    assert await storage.list_objects("2024/03/01/*") == [ItemLocator("1", "2024/03/01")]
    assert len(await storage.list_objects("2024/03/*/*")) == 2
    await storage.delete("2", partition_key="2024/03/02")
    assert await storage.list_objects("*/*/*/*") == [ItemLocator("1", "2024/03/01")]


async def test_shared_by_name_or_path() -> None:
    first = create_storage("memory", {"path": "/tmp/data/x"})
    second = create_storage("memory", {"name": "/tmp/data/x"})
    other = create_storage("memory", {"name": "other"})
    await first.store("1", thing("1"))
    assert await second.get("1", datatype=Thing) == thing("1")
    assert await other.get("1", datatype=Thing) is None
    assert await MemoryStorage().get("1", datatype=Thing) is None


def test_unknown_settings_refused() -> None:
    with pytest.raises(ValueError, match="unknown keys"):
        MemoryStorage.from_settings({"pth": "x"})


@pytest.mark.parametrize("key", ["", ".", "..", "a/b", "../a", "/abs", "a\\b", "a\x00b"])
async def test_bad_keys_refused(key: str) -> None:
    storage = MemoryStorage()
    with pytest.raises(ValueError, match="storage key"):
        await storage.store(key, thing("1"))
    with pytest.raises(ValueError, match="storage key"):
        await storage.get(key, datatype=Thing)


@pytest.mark.parametrize("partition", ["2024/../x", "a//b", "a/\x00"])
async def test_bad_partition_keys_refused(partition: str) -> None:
    with pytest.raises(ValueError, match="partition key"):
        await MemoryStorage().get("1", datatype=Thing, partition_key=partition)


def test_fs_settings_sections_are_accepted() -> None:
    settings = {"path": "/tmp/x", "partition_dateformat": "%Y", "fsync": False, "stale_temp_seconds": 60}
    storage = MemoryStorage.from_settings(settings)
    assert storage.name == "/tmp/x" and storage.partition_dateformat == "%Y"
