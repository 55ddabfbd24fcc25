"""Store data objects as JSON strings in Redis (over ``redis.asyncio``).

* ``RedisStorage``: the 0.24 API (``connect``, ``store`` with optional expiry, ``get``,
  ``delete``, ``list_objects`` returning key strings).
* ``RedisObjectStorage``: the same storage through the engine's ``ObjectStorage`` protocol, what
  ``hopeit.storage.create_storage("redis", {"address": ...})`` returns.
* ``RedisStorageConnectionError``: raised when Redis cannot be reached; names the server.
"""

from hopeit.redis_storage._errors import RedisStorageConnectionError
from hopeit.redis_storage.protocol import RedisObjectStorage
from hopeit.redis_storage.storage import RedisStorage

__all__ = ["RedisObjectStorage", "RedisStorage", "RedisStorageConnectionError"]
