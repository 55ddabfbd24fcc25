"""Redis clients of the manager: one pool for reads, one for writes, packing commands in C.

Both pools are bounded (``max_connections``) and *wait* for a free connection up to
``pool_timeout`` seconds instead of failing at once: redis-py's default pool raises
``MaxConnectionsError`` (a ``ConnectionError``) when full, which looks like Redis being down.

redis-py's asyncio connections parse replies with hiredis when it is installed, but still build
every command in Python. A stream message is a command of some thirty arguments (the wire format
gives every track id its own field), so packing alone cost about as much as everything else
the manager does per message. The connection classes here pack with ``hiredis.pack_command``
and fall back to redis-py for anything hiredis does not take (it raises ``TypeError``).
"""

from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional, Type

from hopeit.redis_streams.settings import RedisStreamsSettings
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

__all__ = ["HIREDIS_PACKING", "close_client", "open_client", "pool_exhausted", "use_fast_packing"]

_pack: Optional[Callable[[Any], bytes]]
try:
    from hiredis import pack_command as _pack
except ImportError:  # pragma: no cover - hiredis is a dependency, but the manager works without it
    _pack = None

#: True when commands are packed by hiredis.
HIREDIS_PACKING = _pack is not None


@lru_cache(maxsize=None)
def _packing_class(base: type) -> type:
    assert _pack is not None
    pack = _pack
    python_pack = base.pack_command  # type: ignore[attr-defined]

    def pack_command(self: Any, *args: Any) -> List[Any]:
        # as redis-py does: a command name with a space ("CONFIG GET") goes as separate arguments
        first = args[0]
        if isinstance(first, str):
            if " " in first:
                args = tuple(first.split()) + args[1:]
        elif isinstance(first, bytes) and b" " in first:
            args = tuple(first.split()) + args[1:]
        try:
            return [pack(args)]
        except TypeError:  # e.g. a bool or None: let redis-py raise its DataError
            return python_pack(self, *args)  # type: ignore[no-any-return]

    return type(f"Hiredis{base.__name__}", (base,), {"pack_command": pack_command, "__module__": __name__})


def use_fast_packing(client: "Redis") -> None:
    """Make ``client``'s pool open connections that pack commands with hiredis (no-op without it)."""
    if _pack is None:  # pragma: no cover
        return
    pool = client.connection_pool
    connection_class: Type[Any] = pool.connection_class
    pool.connection_class = _packing_class(connection_class)  # type: ignore[arg-type]


def open_client(url: str, settings: RedisStreamsSettings, *, reads: bool) -> "Redis":
    """A client (owning its bounded, waiting connection pool) for the manager's reads or writes."""
    options: Dict[str, Any] = {
        "socket_connect_timeout": settings.socket_connect_timeout,
        # blocking reads wait as long as the engine asks: their time limit is set per call instead
        "socket_timeout": None if reads else settings.socket_timeout,
        "health_check_interval": settings.health_check_interval,
        "retry": Retry(NoBackoff(), settings.reconnect_retries),
        "decode_responses": False,
    }
    if settings.username is not None:
        options["username"] = settings.username
    if settings.password is not None:
        options["password"] = settings.password
    pool = BlockingConnectionPool.from_url(
        url, max_connections=settings.max_connections, timeout=settings.pool_timeout, **options
    )
    client: Redis = Redis(connection_pool=pool)
    client.auto_close_connection_pool = True  # the client owns its pool: closing it closes the pool (as from_pool)
    use_fast_packing(client)
    return client


def pool_exhausted(error: BaseException) -> bool:
    """True when ``error`` says every pooled connection was busy, not that Redis failed.

    redis-py raises a ``ConnectionError`` for both: ``MaxConnectionsError`` from a full pool and
    "No connection available." once a blocking pool waited its timeout.
    """
    return isinstance(error, RedisConnectionError) and (
        type(error).__name__ == "MaxConnectionsError" or "No connection available" in str(error)
    )


async def close_client(client: "Redis") -> None:
    """Close the client and its pool; errors of already broken connections are ignored."""
    closing = getattr(client, "aclose", None) or client.close  # aclose: redis-py >= 5.0.1
    try:
        await closing()
    except (RedisError, OSError):  # pragma: no cover - closing a broken connection
        pass
