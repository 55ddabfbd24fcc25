"""Connection errors that name the Redis server and say what to check."""

from typing import Any

import redis.exceptions

__all__ = ["CONNECTION_ERRORS", "RedisStorageConnectionError", "describe_address", "unreachable"]

#: redis-py errors that mean the server could not be reached in time.
CONNECTION_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class RedisStorageConnectionError(ConnectionError, redis.exceptions.ConnectionError):
    """Redis could not be reached (or timed out); the message names ``host:port`` and what to check.

    It is a builtin ``ConnectionError`` and also a ``redis.exceptions.ConnectionError``, so code
    written against either keeps catching it.
    """

    def __init__(self, message: str) -> None:
        # the builtin's __init__ (OSError's) does not call on along the MRO: run redis-py's too, which
        # sets what its own code reads (redis 8: error_type and status_code, used by its __repr__)
        ConnectionError.__init__(self, message)
        redis.exceptions.ConnectionError.__init__(self, message)

    def __repr__(self) -> str:
        # the same on every redis-py version (redis 8's leaves the message out: "network:<class name>")
        return f"{type(self).__name__}({str(self)!r})"


def describe_address(client: Any) -> str:
    """``host:port/db`` (or the unix socket path) a redis-py client connects to, without credentials."""
    kwargs = getattr(getattr(client, "connection_pool", None), "connection_kwargs", {})
    if kwargs.get("path"):
        return f"unix socket {kwargs['path']}"
    return f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"


def unreachable(client: Any, exc: BaseException) -> BaseException:
    """The error to raise for ``exc`` from ``client``: ``RedisStorageConnectionError`` for connection problems."""
    if isinstance(exc, RedisStorageConnectionError) or not isinstance(exc, CONNECTION_ERRORS):
        return exc
    problem = "timed out" if isinstance(exc, redis.exceptions.TimeoutError) else "cannot be reached"
    error = RedisStorageConnectionError(
        f"Redis at {describe_address(client)} {problem} ({exc}). Check that redis-server is running and reachable "
        f"from this host, and the address given to RedisStorage.connect(address=...) or the storage settings 'address'."
    )
    error.__cause__ = exc
    return error
