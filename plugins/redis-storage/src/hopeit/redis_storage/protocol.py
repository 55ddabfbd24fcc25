r"""``RedisObjectStorage``: redis-storage through the engine's ``ObjectStorage`` protocol.

``create_storage("redis", {"address": "redis://host:6379/0"})`` returns one. It differs from
``RedisStorage`` only where the protocol and the 0.24 API disagree:

* ``list_objects`` returns ``ItemLocator(item_id=<key>)`` items (``RedisStorage.list_objects``
  keeps returning plain key strings, so apps written for 0.24 are unchanged);
* ``store`` returns the key, and ``get`` / ``delete`` take ``partition_key`` (Redis keys have no
  partitions: anything other than None is refused);
* keys follow the protocol's portable rule (``hopeit.storage.check_key``: non-empty, not ``.`` or
  ``..``, no ``/``, ``\`` or NUL), so an app can switch between the fs, memory and redis
  backends by settings alone; a bad key raises ``InvalidKeyError``.

The 0.24 object is at ``.storage`` for anything else (expiry with ``store(..., px=...)`` also
works here).
"""

from typing import Any, List, Mapping, Optional, Type, TypeVar

from hopeit.redis_storage.storage import RedisStorage
from hopeit.storage import ItemLocator, check_key

__all__ = ["RedisObjectStorage"]

_T = TypeVar("_T")

_BACKEND = "redis storage"


def _no_partition(partition_key: Optional[str]) -> None:
    if partition_key is not None:
        raise ValueError(
            f"redis storage has no partitions (got partition_key={partition_key!r}): use keys alone, or fs storage"
        )


class RedisObjectStorage:
    """``ObjectStorage`` over a ``RedisStorage``: keys as they are, values as the objects' JSON."""

    def __init__(self, storage: "RedisStorage[Any]") -> None:
        self.storage = storage

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "RedisObjectStorage":
        """Connect to ``settings["address"]`` (``redis://host:port/db``); no other keys are accepted."""
        unknown = set(settings) - {"address"}
        if "address" not in settings or unknown:
            raise ValueError(
                f"redis storage settings take exactly 'address' (e.g. redis://localhost:6379/0); got {sorted(settings)}"
            )
        return cls(RedisStorage().connect(address=str(settings["address"])))

    async def store(self, key: str, value: Any, **kwargs: Any) -> str:
        """Save ``value`` under ``key`` (``kwargs`` go to Redis SET, e.g. ``px=5000``); returns the key."""
        check_key(key, backend=_BACKEND)
        await self.storage.store(key, value, **kwargs)
        return key

    async def get(self, key: str, *, datatype: Type[_T], partition_key: Optional[str] = None) -> Optional[_T]:
        """The object saved under ``key``, or None."""
        check_key(key, backend=_BACKEND)
        _no_partition(partition_key)
        return await self.storage.get(key, datatype=datatype)

    async def list_objects(self, wildcard: str = "*") -> List[ItemLocator]:
        """Locators of the keys matching ``wildcard``, a Redis glob pattern (found with SCAN)."""
        return [ItemLocator(item_id=key) for key in await self.storage.list_objects(wildcard)]

    async def delete(self, *keys: str, partition_key: Optional[str] = None) -> None:
        """Remove ``keys``."""
        for key in keys:
            check_key(key, backend=_BACKEND)
        _no_partition(partition_key)
        await self.storage.delete(*keys)

    async def close(self) -> None:
        """Close the connections."""
        await self.storage.close()
