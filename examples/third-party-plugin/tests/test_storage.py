import asyncio
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import AsyncIterator, Optional

import pytest
from acme_kvstore import SqliteStorage
from hopeit.dataobjects import dataclass, dataobject
from hopeit.storage import InvalidKeyError


@dataobject(event_id="id", event_ts="ts")
@dataclass
class Thing:
    id: str
    ts: Optional[datetime] = None
    count: int = 0


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    storage = SqliteStorage.from_settings({"path": str(tmp_path / "data" / "things.db")})
    yield storage
    await storage.close()


@pytest.fixture
async def partitioned(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    storage = SqliteStorage(path=str(tmp_path / "things.db"), partition_dateformat="%Y/%m/%d/")
    yield storage
    await storage.close()


async def test_store_get_replace(storage: SqliteStorage, tmp_path: Path) -> None:
    assert await storage.store("t1", Thing(id="t1", count=1)) == "t1"
    assert (tmp_path / "data" / "things.db").is_file()
    assert await storage.get("t1", datatype=Thing) == Thing(id="t1", count=1)
    await storage.store("t1", Thing(id="t1", count=2))
    assert await storage.get("t1", datatype=Thing) == Thing(id="t1", count=2)
    assert await storage.get("missing", datatype=Thing) is None


async def test_get_returns_copies(storage: SqliteStorage) -> None:
    thing = Thing(id="t1")
    await storage.store("t1", thing)
    thing.count = 99
    first = await storage.get("t1", datatype=Thing)
    assert first is not None and first.count == 0


async def test_partitions_from_event_ts(partitioned: SqliteStorage) -> None:
    ts = datetime(2024, 3, 5, 10, tzinfo=timezone.utc)
    assert await partitioned.store("t1", Thing(id="t1", ts=ts)) == "2024/03/05/t1"
    assert await partitioned.get("t1", datatype=Thing) is None
    assert await partitioned.get("t1", datatype=Thing, partition_key="2024/03/05/") == Thing(id="t1", ts=ts)
    today = datetime.now(tz=timezone.utc).strftime("%Y/%m/%d")
    assert await partitioned.store("t2", Thing(id="t2")) == f"{today}/t2"


async def test_list_objects_globs_by_part(partitioned: SqliteStorage) -> None:
    for day, key in ((1, "a-1"), (1, "b-1"), (2, "a-2")):
        await partitioned.store(key, Thing(id=key, ts=datetime(2024, 3, day, tzinfo=timezone.utc)))
    found = await partitioned.list_objects("*/*/*/*")
    assert [(loc.partition_key, loc.item_id) for loc in found] == [
        ("2024/03/01", "a-1"), ("2024/03/01", "b-1"), ("2024/03/02", "a-2"),
    ]
    assert [loc.item_id for loc in await partitioned.list_objects("2024/03/*/a-*")] == ["a-1", "a-2"]
    assert await partitioned.list_objects("*") == []  # '*' does not cross partition folders


async def test_list_without_partitions(storage: SqliteStorage) -> None:
    await storage.store("x", Thing(id="x"))
    found = await storage.list_objects()
    assert [(loc.item_id, loc.partition_key) for loc in found] == [("x", None)]


async def test_delete_all_or_none(storage: SqliteStorage) -> None:
    await storage.store("a", Thing(id="a"))
    await storage.store("b", Thing(id="b"))
    with pytest.raises(KeyError, match="'missing'"):
        await storage.delete("a", "missing")
    assert await storage.get("a", datatype=Thing) is not None  # rolled back
    await storage.delete("a", "b")
    assert await storage.list_objects() == []


@pytest.mark.parametrize("key", ["", ".", "..", "a/b", "a\\b", "nul\x00"])
async def test_keys_must_be_plain_names(storage: SqliteStorage, key: str) -> None:
    """Bad keys raise the engine's InvalidKeyError (answered 400 by the web server), naming the backend."""
    with pytest.raises(InvalidKeyError, match="acme-sqlite storage key"):
        await storage.store(key, Thing(id="x"))
    with pytest.raises(InvalidKeyError, match="acme-sqlite storage key"):
        await storage.get(key, datatype=Thing)


async def test_bad_settings_say_what_is_accepted(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="need 'path'"):
        SqliteStorage.from_settings({"file": "x.db"})
    with pytest.raises(ValueError, match="need 'path'"):
        SqliteStorage.from_settings({"path": "x.db", "colour": "blue"})
    with pytest.raises(ValueError, match="table"):
        SqliteStorage(path=str(tmp_path / "x.db"), table="objects; DROP TABLE x")


async def test_data_survives_a_new_instance_and_other_tables(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    first = SqliteStorage(path=path)
    other = SqliteStorage(path=path, table="others")
    await first.store("k", Thing(id="k", count=7))
    await other.store("k", Thing(id="k", count=8))
    await first.close()
    second = SqliteStorage(path=path)
    try:
        assert await second.get("k", datatype=Thing) == Thing(id="k", count=7)
        assert await other.get("k", datatype=Thing) == Thing(id="k", count=8)
    finally:
        await second.close()
        await other.close()
    rows = sqlite3.connect(path).execute("SELECT partition, key FROM objects").fetchall()
    assert rows == [("", "k")]


async def test_concurrent_writes(storage: SqliteStorage) -> None:
    await asyncio.gather(*(storage.store(f"k{i}", Thing(id=f"k{i}", count=i)) for i in range(50)))
    assert len(await storage.list_objects("k*")) == 50


async def test_closed_storage_refuses_calls(tmp_path: Path) -> None:
    storage = SqliteStorage(path=str(tmp_path / "x.db"))
    await storage.close()
    await storage.close()  # twice is fine
    with pytest.raises(RuntimeError, match="closed"):
        await storage.get("k", datatype=Thing)
