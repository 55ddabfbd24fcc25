import io
import json
import os
from pathlib import Path

import pytest
from conftest import Something, something
from hopeit.fs_storage import SUFFIX, FileStorage, FileStorageSettings, ItemLocator


async def test_store_get_unpartitioned(base: Path) -> None:
    storage: FileStorage[Something] = FileStorage(path=str(base))
    assert base.is_dir()
    path = await storage.store("item-1", something("item-1"))
    assert path == (base / "item-1.json").as_posix()
    assert json.loads((base / "item-1.json").read_text())["id"] == "item-1"
    assert await storage.get("item-1", datatype=Something) == something("item-1")
    assert await storage.get("missing", datatype=Something) is None
    assert await storage.list_objects() == [ItemLocator("item-1", None)]
    assert storage.partition_key(path) == ""


async def test_partitioned_by_event_ts(base: Path) -> None:
    storage: FileStorage[Something] = FileStorage(path=str(base), partition_dateformat="%Y/%m/%d/")
    assert storage.partition_dateformat == "%Y/%m/%d"
    path = await storage.store("1", something("1", day=1))
    await storage.store("2", something("2", day=2))
    assert path == (base / "2024/03/01/1.json").as_posix()
    assert storage.partition_key(path) == "2024/03/01"
    assert await storage.get("1", datatype=Something) is None
    assert await storage.get("1", datatype=Something, partition_key="2024/03/01") == something("1", 1)
    assert await storage.get("1", datatype=Something, partition_key="2024/03/01/") == something("1", 1)
    assert await storage.list_objects("2024/03/01/*") == [ItemLocator("1", "2024/03/01")]
    assert await storage.list_objects("*/*/*/*") == [ItemLocator("1", "2024/03/01"), ItemLocator("2", "2024/03/02")]
    assert await storage.list_objects() == []
    (base / "top.json").write_text(json.dumps({"id": "top"}))  # not in a partition
    assert await storage.list_objects() == [ItemLocator("top", None)]
    await storage.delete("1", partition_key="2024/03/01")
    assert await storage.list_objects("*/*/*/*") == [ItemLocator("2", "2024/03/02")]
    with pytest.raises(FileNotFoundError):
        await storage.delete("1", partition_key="2024/03/01")


async def test_no_event_ts_uses_now(base: Path) -> None:
    storage: FileStorage[Something] = FileStorage(path=str(base), partition_dateformat="%Y")
    path = await storage.store("x", Something(id="x"))
    assert len(storage.partition_key(path)) == 4


async def test_settings_and_protocol_constructors(base: Path) -> None:
    settings = FileStorageSettings(path=str(base), partition_dateformat="%Y")
    assert FileStorage.with_settings(settings).partition_dateformat == "%Y"
    assert FileStorage.from_settings(settings).path == base
    from_dict = FileStorage.from_settings({"path": str(base), "partition_dateformat": "%Y/%m"})
    assert from_dict.partition_dateformat == "%Y/%m"
    with pytest.raises(ValueError, match="need 'path'"):
        FileStorage.from_settings({"partition_dateformat": "%Y"})


async def test_files_api(base: Path) -> None:
    storage: FileStorage[Something] = FileStorage(path=str(base), partition_dateformat="%Y/%m/%d")
    path = await storage.store_file("report.csv", io.BytesIO(b"a,b\n1,2\n"))
    partition = storage.partition_key(path)
    assert Path(path).read_bytes() == b"a,b\n1,2\n"
    assert await storage.get_file("report.csv", partition_key=partition) == b"a,b\n1,2\n"
    assert await storage.get_file("missing.csv", partition_key=partition) is None
    assert await storage.list_files("*/*/*/*") == [ItemLocator("report.csv", partition)]
    await storage.delete_files("report.csv", partition_key=partition)
    assert await storage.list_files("*/*/*/*") == []


async def test_files_unpartitioned(base: Path) -> None:
    storage: FileStorage[Something] = FileStorage(path=str(base))
    await storage.store_file("a.bin", io.BytesIO(b"\x00\x01"))
    await storage.store("b", something("b"))
    assert await storage.list_files() == [ItemLocator("a.bin"), ItemLocator("b" + SUFFIX)]
    assert await storage.list_objects() == [ItemLocator("b")]
    assert await storage.get_file("a.bin") == b"\x00\x01"


async def test_overwrite_keeps_one_file(base: Path) -> None:
    storage: FileStorage[Something] = FileStorage(path=str(base))
    await storage.store("k", something("first"))
    await storage.store("k", something("second"))
    stored = await storage.get("k", datatype=Something)
    assert stored is not None and stored.id == "second"
    assert sorted(os.listdir(base)) == ["k.json"]


async def test_symlink_escape_refused(base: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.json").write_text(json.dumps({"id": "secret"}))
    storage: FileStorage[Something] = FileStorage(path=str(base), partition_dateformat="%Y")
    os.symlink(outside, base / "2024")
    os.symlink(outside / "secret.json", base / "linked.json")
    with pytest.raises(ValueError, match="outside"):
        await storage.get("secret", datatype=Something, partition_key="2024")
    with pytest.raises(ValueError, match="outside"):
        await storage.store("x", something("x", day=1))
    with pytest.raises(ValueError, match="outside"):
        await storage.get_file("linked.json")
    assert await storage.list_objects("*/*") == []
    assert await storage.list_files("*") == []
    assert sorted(os.listdir(outside)) == ["secret.json"]
