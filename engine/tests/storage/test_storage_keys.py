"""Storage keys are literal names, never paths or patterns; bad keys raise ``InvalidKeyError``."""

from dataclasses import dataclass
from typing import Iterator

import hopeit.storage
import pytest
from hopeit.dataobjects import dataobject
from hopeit.storage import InvalidKeyError, ItemLocator, check_key
from hopeit.storage.memory import MemoryStorage

BAD_KEYS = ["", ".", "..", "../x", "/etc/passwd", "a/b", "a\\b", "a\x00b", "\x00"]


@dataobject
@dataclass
class Note:
    id: str
    text: str


@pytest.fixture(autouse=True)
def _clean_shared() -> Iterator[None]:
    yield
    MemoryStorage.clear_shared()


def test_invalid_key_error_is_public_value_error() -> None:
    assert "InvalidKeyError" in hopeit.storage.__all__
    assert "check_key" in hopeit.storage.__all__
    assert issubclass(InvalidKeyError, ValueError)
    assert InvalidKeyError.__doc__


@pytest.mark.parametrize("key", BAD_KEYS)
def test_check_key_refuses_non_literal_names(key: str) -> None:
    with pytest.raises(InvalidKeyError) as info:
        check_key(key, backend="test storage")
    assert info.value.key == key
    assert info.value.rule and info.value.rule in str(info.value)
    assert str(info.value).startswith(f"test storage key {key!r} is invalid: ")


def test_check_key_accepts_plain_names_with_any_other_characters() -> None:
    for key in ("item-1", "a b", "x.json", "*", "a?", "[x]", "thing:1", "ñandú"):
        assert check_key(key) == key


def test_check_key_refuses_non_strings() -> None:
    with pytest.raises(InvalidKeyError, match="non-empty string"):
        check_key(None)


def test_message_escapes_and_shortens_the_key() -> None:
    with pytest.raises(InvalidKeyError) as info:
        check_key("x/\n2099 CRITICAL forged" + "y" * 500)
    message = str(info.value)
    assert "\n" not in message
    assert "... (523 characters)" in message
    assert len(message) < 300


@pytest.mark.parametrize("key", BAD_KEYS)
async def test_memory_storage_raises_invalid_key_and_touches_nothing(key: str) -> None:
    storage = MemoryStorage(name="keys")
    await storage.store("a", Note("a", "kept"))
    for attempt in (
        storage.store(key, Note("x", "evil")),
        storage.get(key, datatype=Note),
        storage.delete(key),
    ):
        with pytest.raises(InvalidKeyError, match="memory storage key"):
            await attempt
    assert await storage.list_objects() == [ItemLocator("a")]
    assert await storage.get("a", datatype=Note) == Note("a", "kept")


async def test_memory_storage_bad_partition_key_is_invalid_key() -> None:
    with pytest.raises(InvalidKeyError, match="partition key part"):
        await MemoryStorage().get("a", datatype=Note, partition_key="2024/../x")


async def test_memory_storage_glob_characters_in_keys_are_literal() -> None:
    storage = MemoryStorage()
    await storage.store("a", Note("a", "kept"))
    await storage.store("b", Note("b", "kept"))
    assert await storage.get("*", datatype=Note) is None
    assert await storage.get("?", datatype=Note) is None
    assert await storage.get("[ab]", datatype=Note) is None
    await storage.store("*", Note("*", "star"))
    with pytest.raises(KeyError):
        await storage.delete("[ab]")
    await storage.delete("*")
    assert await storage.get("a", datatype=Note) == Note("a", "kept")
    assert await storage.get("b", datatype=Note) == Note("b", "kept")
    # only list_objects takes a pattern
    assert sorted(x.item_id for x in await storage.list_objects("[ab]")) == ["a", "b"]
