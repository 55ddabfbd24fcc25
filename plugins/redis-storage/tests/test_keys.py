"""Keys are literal: GET/SET/DEL never match patterns; bad keys raise ``InvalidKeyError`` before Redis is asked."""

from typing import AsyncIterator, Dict

import pytest
from conftest import Something, something
from hopeit.redis_storage import RedisObjectStorage, RedisStorage
from hopeit.storage import InvalidKeyError, ItemLocator
from hopeit.testing.redis import RedisServer

GLOB_KEYS = ["*", "?", "[ab]", "a*", "thing:*", "\\*"]
PORTABLE_BAD_KEYS = ["", ".", "..", "../x", "/etc/passwd", "a/b", "a\\b", "a\x00b"]


async def everything(storage: "RedisStorage[Something]") -> Dict[bytes, bytes]:
    client = storage._client()
    return {key: await client.get(key) for key in await client.keys("*")}


@pytest.fixture
async def protocol(redis_server: RedisServer) -> AsyncIterator[RedisObjectStorage]:
    storage = RedisObjectStorage.from_settings({"address": f"{redis_server.url}/4"})
    await storage.storage._client().flushdb()
    yield storage
    await storage.close()


@pytest.mark.parametrize("key", GLOB_KEYS)
async def test_glob_characters_in_keys_are_literal(storage: "RedisStorage[Something]", key: str) -> None:
    for existing in ("a", "b", "ab", "thing:1"):
        await storage.store(existing, something(existing))
    before = await everything(storage)
    assert await storage.get(key, datatype=Something) is None
    await storage.delete(key)
    assert await everything(storage) == before
    await storage.store(key, something(key))
    stored = await storage.get(key, datatype=Something)
    assert stored is not None and stored.id == key
    await storage.delete(key)
    assert await everything(storage) == before  # nothing else read into it, overwritten or deleted


@pytest.mark.parametrize("key", ["", None, 7])
async def test_empty_or_non_string_key_refused(storage: "RedisStorage[Something]", key: object) -> None:
    await storage.store("kept", something("kept"))
    before = await everything(storage)
    for attempt in (
        storage.store(key, something("x")),  # type: ignore[arg-type]
        storage.get(key, datatype=Something),  # type: ignore[arg-type]
        storage.delete("kept", key),  # type: ignore[arg-type]
    ):
        with pytest.raises(InvalidKeyError, match=r"redis storage key .* is invalid: it must be a non-empty string"):
            await attempt
    assert await everything(storage) == before


async def test_0_24_api_keeps_other_keys_as_given(storage: "RedisStorage[Something]") -> None:
    for key in ("a/b", "../x", ".", "a\x00b"):
        await storage.store(key, something(key))
        stored = await storage.get(key, datatype=Something)
        assert stored is not None and stored.id == key
        await storage.delete(key)
    assert await everything(storage) == {}


@pytest.mark.parametrize("key", PORTABLE_BAD_KEYS)
async def test_protocol_refuses_keys_other_backends_cannot_hold(protocol: RedisObjectStorage, key: str) -> None:
    await protocol.store("kept", something("kept"))
    before = await everything(protocol.storage)
    for attempt in (
        protocol.store(key, something("x")),
        protocol.get(key, datatype=Something),
        protocol.delete("kept", key),
    ):
        with pytest.raises(InvalidKeyError, match="redis storage key") as info:
            await attempt
        assert repr(key) in str(info.value)
    assert await everything(protocol.storage) == before


async def test_protocol_glob_keys_literal_and_wildcard_only_in_list(protocol: RedisObjectStorage) -> None:
    for key in ("a", "b"):
        await protocol.store(key, something(key))
    assert await protocol.get("[ab]", datatype=Something) is None
    await protocol.store("*", something("*"))
    assert await protocol.get("a", datatype=Something) == something("a")
    await protocol.delete("*")
    assert sorted(x.item_id for x in await protocol.list_objects("[ab]")) == ["a", "b"]
    assert await protocol.list_objects("\\*") == []
    await protocol.store("*", something("*"))
    assert await protocol.list_objects("\\*") == [ItemLocator("*")]
