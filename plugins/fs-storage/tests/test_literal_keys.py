"""Keys are literal names under the storage folder: never a path, never a pattern.

Every attack is made with a file next to the storage folder that must stay unread and
unchanged, and stored items that must stay as they were.
"""

import io
from pathlib import Path
from typing import Dict, List

import pytest
from conftest import Something, something
from hopeit.fs_storage import FileStorage, ItemLocator
from hopeit.storage import InvalidKeyError

BAD_KEYS = ["", ".", "..", "../outside", "../../etc/passwd", "a/b", "/etc/passwd", "a\\b", "a\x00b", ".hidden"]
GLOB_KEYS = ["*", "?", "[ab]", "a*", "[!x]*"]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file beside the storage folder, where ``../outside`` would lead."""
    target = tmp_path / "outside.json"
    target.write_text('{"id": "outside-secret"}')
    return target


def snapshot(root: Path) -> Dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
async def stored(base: Path) -> FileStorage[Something]:
    storage: FileStorage[Something] = FileStorage(path=str(base), partition_dateformat="%Y/%m/%d")
    for key, day in (("a", 1), ("b", 1), ("a", 2), ("ab", 3)):
        await storage.store(key, something(key, day=day))
    return storage


@pytest.mark.parametrize("key", BAD_KEYS)
async def test_bad_keys_raise_invalid_key_error_and_touch_nothing(
    stored: FileStorage[Something], tmp_path: Path, outside: Path, key: str
) -> None:
    before = snapshot(tmp_path)
    attempts = [
        stored.store(key, something("evil")),
        stored.get(key, datatype=Something),
        stored.get(key, datatype=Something, partition_key="2024/03/01"),
        stored.delete(key, partition_key="2024/03/01"),
        stored.store_file(key, io.BytesIO(b"evil")),
        stored.get_file(key),
        stored.delete_files(key),
        stored.locate(key),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidKeyError) as info:
            await attempt
        assert repr(key) in str(info.value) and "is invalid: " in str(info.value)
    assert snapshot(tmp_path) == before
    assert outside.read_text() == '{"id": "outside-secret"}'


@pytest.mark.parametrize("partition", ["..", "../x", "2024/../../x", "/etc", "2024//03", "a\x00", "a\\b"])
async def test_bad_partition_keys_raise_invalid_key_error(stored: FileStorage[Something], partition: str) -> None:
    with pytest.raises(InvalidKeyError, match="partition key"):
        await stored.get("a", datatype=Something, partition_key=partition)
    with pytest.raises(InvalidKeyError, match="partition key"):
        await stored.delete("a", partition_key=partition)


@pytest.mark.parametrize("wildcard", ["", "../*", "/*", "*/../../*", "a\x00"])
async def test_bad_wildcards_raise_invalid_key_error(stored: FileStorage[Something], wildcard: str) -> None:
    with pytest.raises(InvalidKeyError, match="wildcard"):
        await stored.list_objects(wildcard)


@pytest.mark.parametrize("key", GLOB_KEYS)
async def test_glob_characters_in_keys_are_literal(stored: FileStorage[Something], base: Path, key: str) -> None:
    before = snapshot(base)
    assert await stored.get(key, datatype=Something, partition_key="2024/03/01") is None
    assert await stored.locate(key) == []
    with pytest.raises(FileNotFoundError):
        await stored.delete(key, partition_key="2024/03/01")
    assert snapshot(base) == before

    path = await stored.store(key, something(key, day=1))
    assert Path(path) == base / "2024" / "03" / "01" / f"{key}.json"
    assert await stored.locate(key) == [ItemLocator(key, "2024/03/01")]
    got = await stored.get(key, datatype=Something, partition_key="2024/03/01")
    assert got is not None and got.id == key
    await stored.delete(key, partition_key="2024/03/01")
    assert snapshot(base) == before  # the other items were neither read into it nor overwritten


async def test_locate_finds_a_key_in_every_partition_newest_first(stored: FileStorage[Something]) -> None:
    assert await stored.locate("a") == [ItemLocator("a", "2024/03/02"), ItemLocator("a", "2024/03/01")]
    assert await stored.locate("ab") == [ItemLocator("ab", "2024/03/03")]
    assert await stored.locate("missing") == []


async def test_locate_without_partitions(base: Path) -> None:
    storage: FileStorage[Something] = FileStorage(path=str(base))
    await storage.store("x", something("x"))
    assert await storage.locate("x") == [ItemLocator("x")]
    assert await storage.locate("*") == []


async def test_locate_in_a_base_folder_with_glob_characters(tmp_path: Path) -> None:
    storage: FileStorage[Something] = FileStorage(path=str(tmp_path / "data[1]*"), partition_dateformat="%Y")
    await storage.store("x", something("x"))
    assert await storage.locate("x") == [ItemLocator("x", "2024")]


async def test_list_objects_wildcard_is_still_a_pattern(stored: FileStorage[Something]) -> None:
    found: List[ItemLocator] = await stored.list_objects("*/*/*/a*")
    assert sorted((x.item_id, x.partition_key) for x in found) == [
        ("a", "2024/03/01"),
        ("a", "2024/03/02"),
        ("ab", "2024/03/03"),
    ]


def test_invalid_key_error_is_a_value_error() -> None:
    # code written for the ValueError these checks raised before keeps catching them
    assert issubclass(InvalidKeyError, ValueError)
