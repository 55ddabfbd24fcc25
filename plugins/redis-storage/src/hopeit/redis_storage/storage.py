"""``RedisStorage``: the 0.24 API of redis-storage, unchanged.

::

    from hopeit.redis_storage import RedisStorage

    storage = RedisStorage().connect(address="redis://localhost:6379/0")
    await storage.store("thing-1", thing, ex=60)        # expires in 60 s (px=... for ms)
    await storage.get("thing-1", datatype=Thing)
    await storage.list_objects("thing-*")               # ["thing-1"]: keys, as strings
    await storage.delete("thing-1")

Keys are literal: Redis GET, SET and DEL never treat a key as a pattern, so ``*``, ``?``, ``[``
in a key match only themselves; only ``list_objects`` takes a pattern. An empty (or non-string)
key raises ``hopeit.storage.InvalidKeyError`` before Redis is asked; any other key is used
exactly as given, as in 0.24.
"""

from typing import TYPE_CHECKING, Any, Generic, List, Mapping, Optional, Type, TypeVar

from hopeit.dataobjects import DataObject
from hopeit.dataobjects.payload import Payload
from hopeit.redis_storage._errors import CONNECTION_ERRORS, describe_address, unreachable
from hopeit.storage import InvalidKeyError
from redis.asyncio import Redis

if TYPE_CHECKING:  # the protocol view wraps this class
    from hopeit.redis_storage.protocol import RedisObjectStorage

__all__ = ["SCAN_COUNT", "RedisStorage", "check_key"]

_T = TypeVar("_T")

#: Keys fetched per SCAN round trip by ``list_objects``.
SCAN_COUNT = 1000


def check_key(key: str) -> str:
    """``key`` when it is a non-empty string; ``InvalidKeyError`` otherwise (an empty id is a caller's mistake)."""
    if not isinstance(key, str) or not key:
        raise InvalidKeyError.for_key(key, "it must be a non-empty string", backend="redis storage")
    return key


class RedisStorage(Generic[DataObject]):
    """Key/value storage of data objects in Redis: each key holds the object's JSON text."""

    def __init__(self) -> None:
        self._conn: Optional[Redis] = None
        self.address: Optional[str] = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "RedisObjectStorage":
        """Storage protocol constructor: ``{"address": "redis://host:6379/0"}`` gives a ``RedisObjectStorage``."""
        from hopeit.redis_storage.protocol import RedisObjectStorage

        return RedisObjectStorage.from_settings(settings)

    def connect(self, *, address: str) -> "RedisStorage[DataObject]":
        """Set up the client for ``address`` (``redis://host:port/db``); nothing is sent until first use."""
        if not address:
            raise ValueError("RedisStorage.connect needs an address such as redis://localhost:6379/0")
        self._conn = Redis.from_url(address)
        self.address = address
        return self

    async def close(self) -> None:
        """Close the client's connections (connect() again to reuse the storage)."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.aclose() if hasattr(conn, "aclose") else await conn.close()

    def _client(self) -> Redis:
        if self._conn is None:
            raise RuntimeError("RedisStorage is not connected: call connect(address='redis://host:6379/0') first")
        return self._conn

    @property
    def where(self) -> str:
        """``host:port/db`` of the server (no credentials), for messages."""
        return describe_address(self._client())

    async def get(self, key: str, *, datatype: Type[_T]) -> Optional[_T]:
        """The object saved under ``key`` parsed as ``datatype``; None when the key does not exist."""
        check_key(key)
        client = self._client()
        try:
            value = await client.get(key)
        except CONNECTION_ERRORS as exc:
            raise unreachable(client, exc) from exc
        return Payload.from_json(value, datatype) if value else None

    async def store(self, key: str, value: DataObject, **kwargs: Any) -> None:
        """Save ``value`` as JSON under ``key``; ``kwargs`` go to Redis SET: ``ex``/``px`` expiry, ``nx``, ``xx``..."""
        check_key(key)
        client = self._client()
        text = Payload.to_json_bytes(value)
        try:
            await client.set(key, text, **kwargs)
        except CONNECTION_ERRORS as exc:
            raise unreachable(client, exc) from exc

    async def delete(self, *keys: str) -> None:
        """Remove ``keys`` (missing ones are ignored, as Redis DEL does)."""
        if not keys:
            return
        for key in keys:
            check_key(key)
        client = self._client()
        try:
            await client.delete(*keys)
        except CONNECTION_ERRORS as exc:
            raise unreachable(client, exc) from exc

    async def list_objects(self, wildcard: str = "*") -> List[str]:
        """Keys matching ``wildcard`` (Redis glob pattern), found with SCAN so the server is never blocked."""
        client = self._client()
        seen = set()
        keys: List[str] = []
        try:
            # SCAN walks the keyspace in steps (unlike KEYS, which blocks Redis); it may repeat a key
            async for raw in client.scan_iter(match=wildcard, count=SCAN_COUNT):
                key = raw.decode() if isinstance(raw, bytes) else str(raw)
                if key not in seen:
                    seen.add(key)
                    keys.append(key)
        except CONNECTION_ERRORS as exc:
            raise unreachable(client, exc) from exc
        return keys
