"""Redis Streams backend for hopeit.engine: ``"stream_manager": "redis"`` in server config.

At-least-once delivery through consumer groups: nothing read is lost when a consumer crashes
(its messages are reclaimed), poison messages end up in a dead-letter stream, and Redis restarts
are ridden out with back-off. See the package README for every option.
"""

from hopeit.redis_streams.manager import RedisStreamManager
from hopeit.redis_streams.settings import RedisStreamsSettings
from hopeit.redis_streams.version import __version__

__all__ = ["DEFAULT_QUEUE", "RedisStreamManager", "RedisStreamsSettings", "__version__"]

#: Queue of messages that carry no ``queue`` field (written by producers older than queues).
DEFAULT_QUEUE = b"AUTO"
