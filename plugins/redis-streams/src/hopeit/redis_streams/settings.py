"""Options of the Redis stream manager, read from server config.

They live under ``streams.settings`` of the server config (every key optional)::

    "streams": {
        "stream_manager": "redis",
        "connection_str": "redis://redis:6379",
        "settings": {"claim_idle_ms": 120000, "max_deliveries": 5}
    }

The same keys are accepted in the query string of ``connection_str``
(``redis://redis:6379?max_deliveries=3``), handy when the whole address comes from one
``${REDIS_URL}``; ``settings`` wins when both name a key. Other query options (``db``,
``ssl_cert_reqs``...) are left for redis-py.
"""

import os
from dataclasses import dataclass, fields, replace
from typing import Any, Callable, Dict, Mapping, Optional, Tuple
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from hopeit.streams import StreamConfigError, StreamsConfig

__all__ = ["ENV_PASSWORD", "ENV_USERNAME", "ENV_WORKER_ID", "RedisStreamsSettings", "load_settings", "safe_address"]

#: Environment variables read when neither the URL nor ``settings`` carry credentials.
ENV_USERNAME = "HOPEIT_REDIS_USERNAME"
ENV_PASSWORD = "HOPEIT_REDIS_PASSWORD"
#: Environment variable naming this process's slot in consumer names (``<hostname>.<worker id>``).
ENV_WORKER_ID = "HOPEIT_WORKER_ID"


@dataclass(frozen=True)
class RedisStreamsSettings:
    """Every option of the Redis stream manager, with its default."""

    #: full consumer name; default ``<hostname>.<worker_id>``, stable across restarts of a process slot
    consumer_name: Optional[str] = None
    #: slot part of the default consumer name; default ``$HOPEIT_WORKER_ID``, else the lowest free slot on this host
    worker_id: Optional[str] = None
    #: a message pending (read, not acked) this long is taken over by a live consumer; keep it above ``stream.timeout``
    claim_idle_ms: int = 120_000
    #: how often each read loop looks for such messages
    claim_interval_ms: int = 10_000
    #: consumers of a group with nothing pending and idle this long are removed (hosts that went away); 0: never
    forget_consumers_idle_ms: int = 86_400_000
    #: deliveries after which an unacknowledged message goes to the dead-letter stream (0: never)
    max_deliveries: int = 5
    #: dead-letter stream name = read stream name + this suffix
    dead_letter_suffix: str = ".dlq"
    #: approximate maximum length of dead-letter streams (0: unbounded)
    dead_letter_max_len: int = 0
    #: seconds to wait for a reply (reads add their blocking ``timeout`` to it)
    socket_timeout: float = 5.0
    #: seconds to wait for a connection
    socket_connect_timeout: float = 5.0
    #: seconds a pooled connection may stay idle before it is checked with PING
    health_check_interval: float = 15.0
    #: connections per pool (reads and writes have one pool each): at most this many write pipelines are in
    #: flight, further writes queue and go together in the next one; a read waits for a free connection
    max_connections: int = 50
    #: seconds a write (or read) waits for a free connection before failing with ``StreamBusyError`` (503),
    #: which does not count as a Redis failure
    pool_timeout: float = 10.0
    #: while the engine's circuit breaker backs off after Redis failed, it lets one call through as a
    #: probe every this many seconds; the first that succeeds ends the back-off
    recovery_probe_interval: float = 0.5
    #: immediate reconnect attempts of a command that met a dropped connection, before backing off
    reconnect_retries: int = 1
    #: Redis ACL user and password when not in the URL
    #: (default: environment variables ``HOPEIT_REDIS_USERNAME`` / ``HOPEIT_REDIS_PASSWORD``)
    username: Optional[str] = None
    password: Optional[str] = None

    def __repr__(self) -> str:
        shown = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "password"}
        return f"RedisStreamsSettings({shown}, password={'***' if self.password else None})"


def _positive_int(value: Any) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError("must be greater than 0")
    return number


def _non_negative_int(value: Any) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("must be 0 or more")
    return number


def _positive_float(value: Any) -> float:
    number = float(value)
    if number <= 0:
        raise ValueError("must be greater than 0")
    return number


def _non_negative_float(value: Any) -> float:
    number = float(value)
    if number < 0:
        raise ValueError("must be 0 or more")
    return number


def _optional(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None or value == "" else convert(value)


def _default_if_none(convert: Callable[[Any], Any], default: Any) -> Callable[[Any], Any]:
    # null and "" say "not set", as for the optional keys: the default applies
    return lambda value: default if value is None or value == "" else convert(value)


def _text(value: Any) -> str:
    if not isinstance(value, (str, int)):
        raise ValueError("must be a string")
    return str(value)


_CONVERT: Dict[str, Callable[[Any], Any]] = {
    "consumer_name": _optional(_text),
    "worker_id": _optional(_text),
    "claim_idle_ms": _positive_int,
    "claim_interval_ms": _positive_int,
    "forget_consumers_idle_ms": _non_negative_int,
    "max_deliveries": _non_negative_int,
    "dead_letter_suffix": _text,
    "dead_letter_max_len": _non_negative_int,
    "socket_timeout": _positive_float,
    "socket_connect_timeout": _positive_float,
    "health_check_interval": _non_negative_float,
    "max_connections": _default_if_none(_positive_int, RedisStreamsSettings.max_connections),
    "pool_timeout": _positive_float,
    "recovery_probe_interval": _positive_float,
    "reconnect_retries": _non_negative_int,
    "username": _optional(_text),
    "password": _optional(_text),
}


def _split_query(address: str) -> Tuple[str, Dict[str, str]]:
    """Take our own keys out of the URL query; the rest of the URL goes to redis-py unchanged."""
    parts = urlsplit(address)
    if not parts.query:
        return address, {}
    ours: Dict[str, str] = {}
    theirs = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key in _CONVERT:
            ours[key] = value
        else:
            theirs.append((key, value))
    if not ours:
        return address, {}
    return urlunsplit(parts._replace(query=urlencode(theirs))), ours


def load_settings(address: str, config: Optional[StreamsConfig]) -> Tuple[RedisStreamsSettings, str]:
    """Settings from ``config.settings`` and the URL query, and the URL to hand to redis-py.

    :raises StreamConfigError: naming the key, for unknown keys and invalid values.
    """
    url, from_query = _split_query(address)
    configured: Mapping[str, Any] = getattr(config, "settings", None) or {}
    raw = {**from_query, **configured}
    unknown = sorted(set(raw) - set(_CONVERT))
    if unknown:
        raise StreamConfigError(
            f"Unknown redis stream manager option(s) {unknown} in streams.settings or the connection_str "
            f"query; valid options: {sorted(_CONVERT)}"
        )
    values: Dict[str, Any] = {}
    for key, value in raw.items():
        try:
            values[key] = _CONVERT[key](value)
        except (TypeError, ValueError) as exc:
            shown = "***" if key == "password" else repr(value)
            raise StreamConfigError(f"Invalid streams.settings.{key}={shown}: {exc}") from exc
    settings = RedisStreamsSettings(**values)
    if settings.username is None and os.getenv(ENV_USERNAME):
        settings = replace(settings, username=os.environ[ENV_USERNAME])
    if settings.password is None and os.getenv(ENV_PASSWORD):
        settings = replace(settings, password=os.environ[ENV_PASSWORD])
    return settings, url


def safe_address(address: str) -> str:
    """The address without its password, fit for logs and error messages."""
    parts = urlsplit(address)
    if parts.password is None:
        return address
    user = quote(parts.username or "", safe="")
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port is not None else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))
