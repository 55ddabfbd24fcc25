"""Server configuration data model: streams, logging, auth and API settings of a server.

At the bottom of the engine because everything reads it: the app config carries the server
config it runs under, stream managers read ``StreamsConfig``, the toolkit reads ``AuthConfig``.
``hopeit.server.config`` re-exports it, where 0.24-era code imports it from.
"""

import os
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Dict, List, Optional

from hopeit.contracts.version import ENGINE_VERSION
from hopeit.dataobjects import dataobject

__all__ = [
    "LOG_FORMATS",
    "LOG_FORMAT_ENV",
    "LOG_PATH_ENV",
    "APIConfig",
    "AuthConfig",
    "AuthType",
    "Compression",
    "LoggingConfig",
    "Serialization",
    "ServerConfig",
    "StreamsConfig",
    "default_log_format",
    "default_log_path",
]

#: Stream manager used when server config has no ``streams`` section: in-process, no services needed.
DEFAULT_STREAM_MANAGER = "memory"
#: Environment variable naming the log folder of configs that do not set ``logging.log_path``
LOG_PATH_ENV = "HOPEIT_LOG_PATH"


#: values of ``logging.log_format``
LOG_FORMATS = ("text", "json")
#: environment variable giving the default of ``logging.log_format``
LOG_FORMAT_ENV = "HOPEIT_LOG_FORMAT"


def default_log_format() -> str:
    """``text``, or what ``HOPEIT_LOG_FORMAT`` says (``json`` for log shippers)."""
    return (os.environ.get(LOG_FORMAT_ENV) or "text").strip().lower()


def default_log_path() -> str:
    """``logs/``, or the folder ``HOPEIT_LOG_PATH`` names (the test kit points it at pytest's temporary folder)."""
    path = os.environ.get(LOG_PATH_ENV) or "logs/"
    return path if path.endswith(("/", os.sep)) else path + "/"


class Compression(str, Enum):
    """Stream message compression; ``:N`` picks the level."""

    NONE = "none"
    LZ4 = "lz4"
    LZ4_MIN = "lz4:0"
    LZ4_MAX = "lz4:16"
    ZIP = "zip"
    ZIP_MIN = "zip:1"
    ZIP_MAX = "zip:9"
    GZIP = "gzip"
    GZIP_MIN = "gzip:1"
    GZIP_MAX = "gzip:9"
    BZ2 = "bz2"
    BZ2_MIN = "bz2:1"
    BZ2_MAX = "bz2:9"
    LZMA = "lzma"


class Serialization(str, Enum):
    """Stream message encoding."""

    JSON_UTF8 = "json"
    JSON_BASE64 = "json+base64"
    PICKLE3 = "pickle:3"
    PICKLE4 = "pickle:4"
    PICKLE5 = "pickle:5"


@dataobject
@dataclass
class StreamsConfig:
    """Which stream manager carries ``write_stream``/``read_stream`` messages, and how to reach it.

    ``stream_manager`` is a name registered in the ``hopeit.streams`` entry points (``memory``,
    ``redis``) or a dotted ``module.Class`` path.
    """

    stream_manager: str = DEFAULT_STREAM_MANAGER
    connection_str: str = "<<NoStreamManager>>"
    delay_auto_start_seconds: int = 3
    initial_backoff_seconds: float = 1.0
    max_backoff_seconds: float = 60.0
    num_failures_open_circuit_breaker: int = 1
    #: options of the chosen stream manager (see its README), e.g. redis dead-letter settings
    settings: Dict[str, Any] = field(default_factory=dict)


@dataobject
@dataclass
class LoggingConfig:
    """Log level and folder (``log_path`` is joined with file names: keep its trailing slash).

    ``log_path`` defaults to ``logs/``, or to the folder in the ``HOPEIT_LOG_PATH`` environment
    variable when it is set.
    """

    log_level: str = "INFO"
    log_path: str = field(default_factory=default_log_path)
    console_only: bool = False
    #: lines on the console (stderr) as well as in the files; ``hopeit_server run`` turns it on when
    #: stdout is a terminal (``--console-log`` / ``--no-console-log`` decide otherwise)
    console: bool = False
    #: ``"text"`` (0.24's ``time | LEVEL | name | message | k=v ...`` lines) or ``"json"`` (one JSON
    #: object per line, same fields, for log shippers); the default is ``HOPEIT_LOG_FORMAT`` if set, else text
    log_format: str = field(default_factory=default_log_format)

    def __post_init__(self) -> None:
        if self.log_format not in LOG_FORMATS:
            raise ValueError(
                f"logging.log_format {self.log_format!r}: use one of {', '.join(map(repr, LOG_FORMATS))}"
            )


class AuthType(str, Enum):
    """Authentication methods an event may accept."""

    UNSECURED = "Unsecured"
    BASIC = "Basic"
    BEARER = "Bearer"
    REFRESH = "Refresh"


@dataobject
@dataclass
class AuthConfig:
    """Where app keys live and which auth methods events get by default."""

    secrets_location: str
    auth_passphrase: str
    enabled: bool = True
    create_keys: bool = False
    domain: Optional[str] = None
    encryption_algorithm: str = "RS256"
    default_auth_methods: List[AuthType] = field(default_factory=list)
    #: methods of the ``/mgmt/.../start|stop`` routes; empty (the default): ``default_auth_methods``
    mgmt_auth_methods: List[AuthType] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.default_auth_methods) == 0:
            self.default_auth_methods.append(AuthType.UNSECURED)

    @staticmethod
    def no_auth() -> "AuthConfig":
        """Auth disabled: every event is Unsecured."""
        return AuthConfig(secrets_location=".secrets/", auth_passphrase="", enabled=False)


@dataobject
@dataclass
class APIConfig:
    """OpenAPI options; ``docs_path`` (e.g. ``/api/docs``) serves the docs UI."""

    docs_path: Optional[str] = None
    #: liveness probe route (``hopeit.web.health``); null or "" turns it off
    health_path: Optional[str] = "/health"
    #: readiness probe route (``hopeit.web.health``); null or "" turns it off
    ready_path: Optional[str] = "/ready"
    #: Prometheus metrics route (``hopeit.web.metrics_route``, extra ``metrics``); null (the default)
    #: or "" turns metrics off, and nothing of prometheus-client is loaded
    metrics_path: Optional[str] = None


@dataobject
@dataclass
class ServerConfig:
    """Server-wide configuration: the first file of ``--config-files``."""

    streams: StreamsConfig = field(default_factory=StreamsConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    auth: AuthConfig = field(default_factory=AuthConfig.no_auth)
    api: APIConfig = field(default_factory=APIConfig)
    plugins: List[str] = field(default_factory=list)
    engine_version: str = ENGINE_VERSION
    #: include Python tracebacks in HTTP error bodies (off: bodies carry only the message)
    errors_traceback: bool = False

    def __post_init__(self) -> None:
        self.engine_version = ENGINE_VERSION
