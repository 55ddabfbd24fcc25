"""RedisStorage against a real Redis server started by the test kit."""

import json

import pytest
import redis.asyncio
import redis.exceptions
from conftest import Something, something
from hopeit.redis_storage import RedisStorage, RedisStorageConnectionError
from hopeit.testing.redis import RedisServer
from hopeit.testing.servers import free_port
from hopeit.testing.waiting import wait_until


async def test_store_get_delete(storage: RedisStorage[Something], redis_server: RedisServer) -> None:
    assert await storage.store("item-1", something("item-1")) is None  # type: ignore[func-returns-value]  # 0.24 API: no path
    assert await storage.get("item-1", datatype=Something) == something("item-1")
    assert await storage.get("missing", datatype=Something) is None
    await storage.delete("item-1", "missing")
    assert await storage.get("item-1", datatype=Something) is None
    await storage.delete()  # nothing to delete: no round trip, no error


async def test_value_is_the_dataobject_json(storage: RedisStorage[Something], redis_server: RedisServer) -> None:
    await storage.store("k", something("k"))
    client: redis.asyncio.Redis = redis.asyncio.Redis.from_url(redis_server.url)
    raw = await client.get("k")
    await client.aclose()
    assert json.loads(raw) == {
        "id": "k",
        "ts": "2024-03-01T00:00:00+00:00",
        "details": [{"name": "a", "values": [1, 2]}, {"name": "b", "values": [3]}],
    }


async def test_expiry_px_and_ex(storage: RedisStorage[Something]) -> None:
    await storage.store("short", something("short"), px=150)
    await storage.store("long", something("long"), ex=60)
    client = storage._client()
    assert 0 < await client.pttl("short") <= 150
    assert 0 < await client.ttl("long") <= 60
    assert await storage.get("short", datatype=Something) == something("short")

    async def short_expired() -> bool:
        return await storage.get("short", datatype=Something) is None

    await wait_until(short_expired, what="the 150 ms key to expire")  # Redis expires it on its own clock
    assert await storage.get("long", datatype=Something) == something("long")


async def test_set_options_pass_through(storage: RedisStorage[Something]) -> None:
    await storage.store("once", something("first"), nx=True)
    await storage.store("once", something("second"), nx=True)
    stored = await storage.get("once", datatype=Something)
    assert stored is not None and stored.id == "first"
    await storage.store("absent", something("x"), xx=True)
    assert await storage.get("absent", datatype=Something) is None


async def test_list_objects_wildcards(storage: RedisStorage[Something]) -> None:
    for key in ("thing:1", "thing:2", "thing:10", "other:1"):
        await storage.store(key, something(key))
    assert sorted(await storage.list_objects()) == ["other:1", "thing:1", "thing:10", "thing:2"]
    assert sorted(await storage.list_objects("thing:*")) == ["thing:1", "thing:10", "thing:2"]
    assert sorted(await storage.list_objects("thing:?")) == ["thing:1", "thing:2"]
    assert await storage.list_objects("nothing*") == []
    assert all(isinstance(key, str) for key in await storage.list_objects())


async def test_list_objects_scans_many_keys(storage: RedisStorage[Something]) -> None:
    client = storage._client()
    async with client.pipeline(transaction=False) as pipe:
        for i in range(2500):
            pipe.set(f"bulk:{i}", "{}")
        await pipe.execute()
    keys = await storage.list_objects("bulk:*")
    assert len(keys) == 2500 and len(set(keys)) == 2500


async def test_decoded_responses_address(redis_server: RedisServer) -> None:
    store: RedisStorage[Something] = RedisStorage().connect(address=f"{redis_server.url}/1?decode_responses=True")
    try:
        await store.store("d", something("d"))
        assert await store.list_objects("d") == ["d"]
        assert await store.get("d", datatype=Something) == something("d")
        await store.delete("d")
    finally:
        await store.close()


async def test_unreachable_address_error_names_it() -> None:
    port = free_port()
    store: RedisStorage[Something] = RedisStorage().connect(address=f"redis://127.0.0.1:{port}/2")
    for call in (
        store.get("k", datatype=Something),
        store.store("k", something("k")),
        store.delete("k"),
        store.list_objects(),
    ):
        with pytest.raises(RedisStorageConnectionError, match=f"Redis at 127.0.0.1:{port}/2 cannot be reached") as err:
            await call
        assert "Check that redis-server is running" in str(err.value)
        assert isinstance(err.value, ConnectionError)
        assert isinstance(err.value, redis.exceptions.ConnectionError)
    await store.close()


async def test_connection_error_repr_and_str() -> None:
    """A raised ``RedisStorageConnectionError`` prints with its message and carries what redis-py sets on its own.

    (With redis 8, ``repr()`` raised AttributeError 'error_type': redis' ``__init__`` was skipped.)
    """
    port = free_port()
    store: RedisStorage[Something] = RedisStorage().connect(address=f"redis://127.0.0.1:{port}/0")
    with pytest.raises(RedisStorageConnectionError) as err:
        await store.get("k", datatype=Something)
    await store.close()
    text = str(err.value)
    assert text.startswith(f"Redis at 127.0.0.1:{port}/0 cannot be reached (") and text.endswith("'address'.")
    assert repr(err.value) == f"RedisStorageConnectionError({text!r})"
    assert err.value.args == (text,)
    plain = redis.exceptions.ConnectionError("x")  # redis 8 sets error_type and status_code; older ones nothing
    assert {k: getattr(err.value, k, "<missing>") for k in vars(plain)} == vars(plain)


async def test_server_going_away_and_back() -> None:
    server = RedisServer().start()
    try:
        store: RedisStorage[Something] = RedisStorage().connect(address=server.url)
        await store.store("a", something("a"))
        server.stop()
        with pytest.raises(RedisStorageConnectionError, match=f"127.0.0.1:{server.port}"):
            await store.get("a", datatype=Something)
        server.start()
        assert await store.get("a", datatype=Something) is None  # a new empty server
        await store.close()
    finally:
        server.close()


async def test_not_connected() -> None:
    with pytest.raises(RuntimeError, match="call connect"):
        await RedisStorage().get("k", datatype=Something)
    with pytest.raises(ValueError, match="needs an address"):
        RedisStorage().connect(address="")
    await RedisStorage().close()  # closing an unconnected storage is fine
