"""Settings of an app connection: hosts, retries, circuit breaker, connection pool and auth.

They live in the calling app's config under ``settings[<connection key>]`` (or the section named
by the connection's ``settings``)::

    "settings": {
        "target_conn": {
            "connection_str": "${TARGET_APP_HOSTS}",
            "retries": 2,
            "auth_strategy": "CLIENT_APP_PUBLIC_KEY"
        }
    }
"""

import difflib
from dataclasses import dataclass, field, fields
from enum import Enum
from typing import Any, Dict, List, Optional
from urllib.parse import urlsplit

from hopeit.app.config import AppConfig
from hopeit.apps_client.errors import AppsClientConfigError
from hopeit.dataobjects import dataobject
from hopeit.dataobjects.payload import Payload

__all__ = ["AppsClientSettings", "ClientAuthStrategy", "load_settings", "parse_hosts", "settings_key"]


class ClientAuthStrategy(str, Enum):
    """How the client authenticates its requests to the other app."""

    #: a Bearer JWT signed with the calling app's private key (the target needs the caller's public key)
    CLIENT_APP_PUBLIC_KEY = "CLIENT_APP_PUBLIC_KEY"
    #: the credentials of the request being served, as ``<auth_type> <payload>`` (Basic auth)
    FORWARD_CONTEXT = "FORWARD_CONTEXT"
    #: no ``Authorization`` header
    UNSECURED = "UNSECURED"


@dataobject
@dataclass
class AppsClientSettings:
    """Settings of one app connection.

    ``connection_str`` lists the base URLs of the other app's hosts, comma separated
    (``http://h1:8020,http://h2:8020``); calls go round-robin across them. Each call makes up to
    ``retries + 1`` attempts, waiting ``retry_backoff_ms`` before the first retry and doubling the
    wait each time up to ``retry_last_backoff_ms``. A host failing ``circuit_breaker_open_failures``
    times in a row (failures further apart than ``circuit_breaker_failure_reset_seconds`` start the
    count again) is skipped for ``circuit_breaker_open_seconds``; then it gets one trial call, which
    closes the breaker on success or opens it again on failure. ``0`` failures disables the breaker.
    """

    connection_str: str
    circuit_breaker_open_failures: int = 10
    circuit_breaker_failure_reset_seconds: int = 120
    circuit_breaker_open_seconds: int = 60
    retries: int = 1
    retry_backoff_ms: int = 10
    retry_last_backoff_ms: int = 1000
    ssl: bool = True
    max_connections: int = 100
    max_connections_per_host: int = 0
    dns_cache_ttl: int = 10
    #: total seconds one attempt may take (connect, send, read the whole response)
    request_timeout_seconds: float = 60.0
    #: seconds to wait for a connection to a host (a host that does not answer fails fast)
    connect_timeout_seconds: float = 10.0
    #: target event name -> route, for events served under a custom ``route``
    routes_override: Dict[str, str] = field(default_factory=dict)
    auth_strategy: ClientAuthStrategy = ClientAuthStrategy.CLIENT_APP_PUBLIC_KEY

    def __post_init__(self) -> None:
        for name in ("circuit_breaker_open_failures", "circuit_breaker_failure_reset_seconds",
                     "circuit_breaker_open_seconds", "retries", "retry_backoff_ms", "retry_last_backoff_ms",
                     "max_connections", "max_connections_per_host", "dns_cache_ttl"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more, got {getattr(self, name)}")
        for name in ("request_timeout_seconds", "connect_timeout_seconds"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be more than 0, got {getattr(self, name)}")


_FIELDS = [f.name for f in fields(AppsClientSettings)]

# names of similar options elsewhere in hopeit (stream breaker, 0.24 example configs) users carry over
_KNOWN_MISTAKES = {
    "num_failures_to_open_circuit_breaker": "circuit_breaker_open_failures",
    "num_failures_open_circuit_breaker": "circuit_breaker_open_failures",
    "hosts": "connection_str",
    "timeout": "request_timeout_seconds",
}


def settings_key(app_config: AppConfig, app_connection: str) -> str:
    """Key of the settings section of a connection: its ``settings`` or the connection key."""
    return app_config.app_connections[app_connection].settings or app_connection


def _where(app_config: AppConfig, app_connection: str) -> str:
    return f"app {app_config.app_key()}, app connection '{app_connection}'"


def load_settings(app_config: AppConfig, app_connection: str) -> AppsClientSettings:
    """Validated settings of ``app_connection``.

    :raises AppsClientConfigError: the section is missing, has unknown keys (a typo would be
        silently ignored otherwise) or invalid values; the message names app, connection and key.
    """
    key = settings_key(app_config, app_connection)
    where = _where(app_config, app_connection)
    section: Optional[Dict[str, Any]] = app_config.settings.get(key)
    if section is None:
        raise AppsClientConfigError(
            f"{where}: settings section '{key}' not found; add "
            f'"settings": {{"{key}": {{"connection_str": "http://host:8020"}}}} to the app config'
        )
    unknown = [k for k in section if k not in _FIELDS]
    if unknown:
        hints = []
        for name in unknown:
            known = _KNOWN_MISTAKES.get(name)
            close = [known] if known else difflib.get_close_matches(name, _FIELDS, n=1)
            hints.append(f"'{name}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        raise AppsClientConfigError(
            f"{where}: unknown keys in settings '{key}': {', '.join(hints)}; valid keys: {', '.join(_FIELDS)}"
        )
    try:
        settings = Payload.from_obj(section, AppsClientSettings)
    except (ValueError, TypeError) as exc:
        raise AppsClientConfigError(f"{where}: invalid settings '{key}': {exc}") from None
    parse_hosts(settings.connection_str, where=f"{where}, settings '{key}'")
    return settings


def parse_hosts(connection_str: str, *, where: str = "apps client") -> List[str]:
    """Base URLs of ``connection_str`` (comma separated), without trailing slashes.

    :raises AppsClientConfigError: no host, or an entry that is not an ``http(s)://host[:port]`` URL.
    """
    hosts = [h.strip().rstrip("/") for h in connection_str.split(",") if h.strip()]
    if not hosts:
        raise AppsClientConfigError(
            f"{where}: connection_str is empty; set it to base URLs like 'http://h1:8020,http://h2:8020'"
        )
    for host in hosts:
        parts = urlsplit(host)
        try:
            valid = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 1) > 0
        except ValueError:  # a port that is not a number
            valid = False
        if not valid:
            raise AppsClientConfigError(
                f"{where}: connection_str entry '{host}' is not a base URL like 'http://host:8020'"
            )
    return hosts
