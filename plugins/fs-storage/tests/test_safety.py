"""Refused names, concurrent writers and crashes in the middle of a write, on real folders."""

import asyncio
import io
import json
import os
from pathlib import Path
from typing import List

import pytest
from conftest import Something, something
from hopeit.fs_storage import FileStorage, ItemLocator

BAD_KEYS = ["", ".", "..", "../x", "a/b", "/etc/passwd", "a\\b", "a\x00b", ".hidden", "x/../../y"]
BAD_PARTITIONS = ["..", "../x", "2024/../../x", "/etc", "2024//03", "2024/./03", "a\x00", "a\\b"]
BAD_WILDCARDS = ["", "../*", "/*", "*/../../*", "a//*", "./*", "a\x00", "a\\*"]


@pytest.fixture
def storage(base: Path) -> FileStorage[Something]:
    return FileStorage(path=str(base))


def files_under(path: Path) -> List[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


@pytest.mark.parametrize("key", BAD_KEYS)
async def test_bad_keys_refused_everywhere(storage: FileStorage[Something], base: Path, key: str) -> None:
    with pytest.raises(ValueError, match=r"fs-storage (key|file name)"):
        await storage.store(key, something("x"))
    with pytest.raises(ValueError, match="fs-storage key"):
        await storage.get(key, datatype=Something)
    with pytest.raises(ValueError, match="fs-storage key"):
        await storage.delete(key)
    with pytest.raises(ValueError, match="fs-storage file name"):
        await storage.store_file(key, io.BytesIO(b"x"))
    with pytest.raises(ValueError, match="fs-storage file name"):
        await storage.get_file(key)
    with pytest.raises(ValueError, match="fs-storage file name"):
        await storage.delete_files(key)
    assert files_under(base) == []


@pytest.mark.parametrize("partition", BAD_PARTITIONS)
async def test_bad_partition_keys_refused(storage: FileStorage[Something], partition: str) -> None:
    with pytest.raises(ValueError, match="partition key"):
        await storage.get("ok", datatype=Something, partition_key=partition)
    with pytest.raises(ValueError, match="partition key"):
        await storage.get_file("ok", partition_key=partition)
    with pytest.raises(ValueError, match="partition key"):
        await storage.delete("ok", partition_key=partition)


@pytest.mark.parametrize("wildcard", BAD_WILDCARDS)
async def test_bad_wildcards_refused(storage: FileStorage[Something], wildcard: str) -> None:
    with pytest.raises(ValueError, match="wildcard"):
        await storage.list_objects(wildcard)
    with pytest.raises(ValueError, match="wildcard"):
        await storage.list_files(wildcard)


async def test_bad_partition_format_refused(base: Path) -> None:
    storage: FileStorage[Something] = FileStorage(path=str(base), partition_dateformat="../%Y")
    with pytest.raises(ValueError, match="partition key"):
        await storage.store("x", something("x"))
    assert not (base.parent / "2024").exists()


async def test_concurrent_writers_same_key(storage: FileStorage[Something], base: Path) -> None:
    values = [something(f"v{i}") for i in range(60)]
    await asyncio.gather(*(storage.store("same", value) for value in values))
    stored = await storage.get("same", datatype=Something)
    assert stored is not None
    assert stored in values  # one complete object, whichever write came last
    assert json.loads((base / "same.json").read_text())["id"] == stored.id
    assert sorted(os.listdir(base)) == ["same.json"]  # no temp files left


async def test_concurrent_writers_and_readers(storage: FileStorage[Something], base: Path) -> None:
    await storage.store("same", something("v0"))

    async def read_many() -> None:
        for _ in range(30):
            value = await storage.get("same", datatype=Something)
            assert value is not None and value.id.startswith("v")  # never a half file

    writes = [storage.store(f"k{i}", something(f"k{i}")) for i in range(50)]
    writes += [storage.store("same", something(f"v{i}")) for i in range(50)]
    await asyncio.gather(*writes, read_many(), read_many())
    listed = await storage.list_objects()
    assert len(listed) == 51
    for i in range(50):
        assert await storage.get(f"k{i}", datatype=Something) == something(f"k{i}")
    assert not [name for name in os.listdir(base) if name.startswith(".")]


async def test_crash_between_write_and_rename(
    storage: FileStorage[Something], base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await storage.store("kept", something("old"))

    def crash(src: str, dst: str) -> None:
        assert Path(src).name.startswith(".") and Path(src).read_bytes()  # the temp file was fully written
        raise OSError("simulated crash before rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        await storage.store("new", something("new"))
    with pytest.raises(OSError, match="simulated crash"):
        await storage.store("kept", something("changed"))
    with pytest.raises(OSError, match="simulated crash"):
        await storage.store_file("raw.bin", io.BytesIO(b"data"))
    monkeypatch.undo()
    assert sorted(os.listdir(base)) == ["kept.json"]  # no partial new.json, no temp file
    assert await storage.list_objects() == [ItemLocator("kept")]
    assert await storage.list_objects(".*") == []
    assert await storage.list_files(".*") == []
    assert await storage.get("kept", datatype=Something) == something("old")
    assert await storage.get("new", datatype=Something) is None


async def test_crash_during_write(storage: FileStorage[Something], base: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_fsync = os.fsync

    def failing_fsync(fd: int) -> None:
        real_fsync(fd)
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="disk full"):
        await storage.store("x", something("x"))
    monkeypatch.undo()
    assert os.listdir(base) == []


async def test_cancelled_store_leaves_no_temp_file(storage: FileStorage[Something], base: Path) -> None:
    tasks = [asyncio.ensure_future(storage.store(f"c{i}", something("c"))) for i in range(20)]
    await asyncio.sleep(0)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    # writes already handed to a worker thread complete there: wait for them (bounded)
    for _ in range(100):
        await asyncio.sleep(0.05)
        if not [name for name in os.listdir(base) if name.startswith(".")]:
            break
    assert not [name for name in os.listdir(base) if name.startswith(".")]
    for name in os.listdir(base):
        assert json.loads((base / name).read_text())["id"] == "c"
