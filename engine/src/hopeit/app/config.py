"""App configuration: the JSON file that names an app, its events, streams and settings."""

import copy
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Dict, List, Optional, Type, TypeVar, Union

from hopeit.app.expansion import replace_config_args, replace_env_vars
from hopeit.app.names import auto_path
from hopeit.contracts.settings import AuthType, Compression, Serialization, ServerConfig
from hopeit.dataobjects import dataobject
from hopeit.dataobjects.payload import Payload

__all__ = [
    "AppConfig",
    "AppConnection",
    "AppDescriptor",
    "AppEngineConfig",
    "AppSettings",
    "Compression",
    "Env",
    "EventConnection",
    "EventConnectionType",
    "EventDescriptor",
    "EventLoggingConfig",
    "EventPlugMode",
    "EventSettings",
    "EventStreamConfig",
    "EventType",
    "ReadStreamDescriptor",
    "Serialization",
    "StreamQueue",
    "StreamQueueStrategy",
    "WriteStreamDescriptor",
    "parse_app_config_json",
]

_T = TypeVar("_T")

#: Environment values per section: ``env["fs"]["data_path"]``.
Env = Dict[str, Dict[str, Union[str, float, int, bool]]]
#: Free-form settings sections, one per event or shared key.
AppSettings = Dict[str, Dict[str, Any]]


class EventType(str, Enum):
    """How an event is triggered."""

    GET = "GET"
    POST = "POST"
    STREAM = "STREAM"
    SERVICE = "SERVICE"
    MULTIPART = "MULTIPART"
    SETUP = "SETUP"


class EventPlugMode(str, Enum):
    """Where a plugin event is served: on the plugin's own routes, or on each app using the plugin."""

    STANDALONE = "Standalone"
    ON_APP = "OnApp"


class EventConnectionType(str, Enum):
    """HTTP method used to call another app's event."""

    GET = "GET"
    POST = "POST"


class StreamQueueStrategy(str, Enum):
    """Whether a message read from a queue is written to the same queue (PROPAGATE) or not (DROP)."""

    PROPAGATE = "PROPAGATE"
    DROP = "DROP"


class StreamQueue:
    """Queue names: ``AUTO`` is the stream itself; any other queue ``q`` is stream ``<name>.<q>``."""

    AUTO = "AUTO"

    @staticmethod
    def default_queues() -> List[str]:
        """A fresh ``["AUTO"]``."""
        return [StreamQueue.AUTO]


@dataobject
@dataclass
class AppDescriptor:
    """App name and version; together they make the app key (``my_app.1x0``)."""

    name: str
    version: str

    def __post_init__(self) -> None:
        if len(self.name) == 0:
            raise ValueError("app.name must not be empty")
        if len(self.version) == 0:
            raise ValueError("app.version must not be empty")

    def app_key(self) -> str:
        """``auto_path(name, version)``."""
        # computed on every EventContext: cached, and recomputed if name or version change
        cached = self.__dict__.get("_app_key")
        if cached is None or cached[0] != (self.name, self.version):
            cached = ((self.name, self.version), auto_path(self.name, self.version))
            self.__dict__["_app_key"] = cached
        return cached[1]  # type: ignore[no-any-return]


@dataobject
@dataclass
class ReadStreamDescriptor:
    """Stream an event consumes, its consumer group and queues (read in order each cycle)."""

    name: str
    consumer_group: str
    queues: List[str] = field(default_factory=StreamQueue.default_queues)


@dataobject
@dataclass
class WriteStreamDescriptor:
    """Stream an event publishes its results to."""

    name: str
    queues: List[str] = field(default_factory=StreamQueue.default_queues)
    queue_strategy: StreamQueueStrategy = StreamQueueStrategy.DROP


_STREAM_FIELDS = ("name", "msg_id", "consumer_group", "submit_ts", "event_ts", "event_id", "read_ts")


@dataobject
@dataclass
class EventLoggingConfig:
    """Extra values an event must log, and stream message fields added to its log lines."""

    extra_fields: List[str] = field(default_factory=list)
    stream_fields: List[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.stream_fields) == 0:
            self.stream_fields = ["name", "msg_id", "consumer_group"]
        self.stream_fields = [k if k.startswith("stream.") else f"stream.{k}" for k in self.stream_fields]


@dataobject
@dataclass
class EventStreamConfig:
    """Stream settings of an event (timeouts in seconds, delays in milliseconds)."""

    timeout: float = 60.0
    target_max_len: int = 0
    throttle_ms: int = 0
    step_delay: int = 0
    batch_size: int = 100
    compression: Optional[Compression] = None
    serialization: Optional[Serialization] = None
    #: times the steps of a message that failed run again before it fails (0: none, as 0.24);
    #: see ``hopeit.server.stream_retries``
    max_retries: int = 0
    #: milliseconds before the first retry; each next one waits twice as long...
    retry_backoff_ms: int = 100
    #: ...up to this
    retry_max_backoff_ms: int = 5000


@dataobject
@dataclass
class EventSettings:
    """Effective settings of one event; call it to read a settings section as a data object."""

    response_timeout: float = 60.0
    logging: EventLoggingConfig = field(default_factory=EventLoggingConfig)
    stream: EventStreamConfig = field(default_factory=EventStreamConfig)
    extras: Dict[str, Any] = field(default_factory=dict)

    def __call__(self, *, key: str = "_", datatype: Type[_T]) -> _T:
        """``settings(datatype=T)`` parses the event's own section; ``key=`` one of its ``setting_keys``."""
        return Payload.from_obj(self.extras.get(key, {}), datatype)


@dataobject
@dataclass
class EventConnection:
    """An event of another app that this event calls."""

    app_connection: str
    event: str
    type: EventConnectionType


@dataobject
@dataclass
class EventDescriptor:
    """One entry of ``events`` in app config."""

    type: EventType
    plug_mode: EventPlugMode = EventPlugMode.STANDALONE
    route: Optional[str] = None
    impl: Optional[str] = None
    connections: List[EventConnection] = field(default_factory=list)
    read_stream: Optional[ReadStreamDescriptor] = None
    write_stream: Optional[WriteStreamDescriptor] = None
    auth: List[AuthType] = field(default_factory=list)
    setting_keys: List[str] = field(default_factory=list)
    dataobjects: List[str] = field(default_factory=list)
    group: str = "DEFAULT"

    DEFAULT_GROUP = "DEFAULT"

    def __post_init__(self) -> None:
        if self.read_stream is not None and "{auto}" in self.read_stream.name:
            raise ValueError("read_stream.name cannot be {auto}: name the stream this event reads")


@dataobject
@dataclass
class AppEngineConfig:
    """Engine options of an app: where its modules are, stream defaults, track headers, CORS."""

    import_modules: Optional[List[str]] = None
    read_stream_timeout: int = 1000
    read_stream_interval: int = 1000
    default_stream_compression: Compression = Compression.LZ4
    default_stream_serialization: Serialization = Serialization.JSON_BASE64
    track_headers: List[str] = field(default_factory=list)
    cors_origin: Optional[str] = None
    cors_routes_prefix: Optional[str] = None

    def __post_init__(self) -> None:
        headers = [h if h.startswith("track.") else f"track.{h}" for h in self.track_headers]
        for required in ("track.request_ts", "track.request_id"):
            if required not in headers:
                headers.insert(0, required)
        self.track_headers = headers


@dataobject
@dataclass
class AppConnection:
    """Another app this app calls, and the client class (or registered name) used to call it."""

    name: str
    version: str
    client: str = "<<NO CLIENT CONFIGURED>>"
    settings: Optional[str] = None
    plugin_name: Optional[str] = None
    plugin_version: Optional[str] = None


@dataobject
@dataclass
class AppConfig:
    """A whole app config file."""

    app: AppDescriptor
    engine: AppEngineConfig = field(default_factory=AppEngineConfig)
    app_connections: Dict[str, AppConnection] = field(default_factory=dict)
    env: Env = field(default_factory=dict)
    events: Dict[str, EventDescriptor] = field(default_factory=dict)
    server: Optional[ServerConfig] = None
    plugins: List[AppDescriptor] = field(default_factory=list)
    settings: AppSettings = field(default_factory=dict)
    effective_settings: Optional[AppSettings] = None

    def app_key(self) -> str:
        """Key of this app (``my_app.1x0``)."""
        return self.app.app_key()

    def setup(self) -> "AppConfig":
        """Compute ``effective_settings`` of every event; returns self."""
        self.effective_settings = {}
        for event_name, event_info in self.events.items():
            stream: Dict[str, Any] = {}
            if event_info.write_stream is not None:
                stream.update(self.settings.get(event_info.write_stream.name, {}))
            elif event_info.read_stream is not None:
                stream.update(self.settings.get(event_info.read_stream.name, {}))
            own = copy.deepcopy(self.settings.get(event_name, {}))
            stream.update(own.get("stream", {}))
            known = {k: v for k, v in own.items() if k in ("response_timeout", "logging")}
            settings = Payload.from_obj({**known, "stream": stream}, EventSettings)
            if settings.stream.compression is None:
                settings.stream.compression = self.engine.default_stream_compression
            if settings.stream.serialization is None:
                settings.stream.serialization = self.engine.default_stream_serialization
            extras: Dict[str, Any] = {}
            if event_name in self.settings:
                extras["_"] = self.settings[event_name]
            for key in event_info.setting_keys:
                if key in self.settings:
                    extras[key] = self.settings[key]
            effective = Payload.to_obj(settings)
            # the sections themselves, not copies (as in 0.24): a test fixture that edits
            # ``settings`` after setup, e.g. to make a storage path unique, is seen by the event
            effective["extras"] = extras
            self.effective_settings[event_name] = effective
        return self


def parse_app_config_json(config_json: str) -> AppConfig:
    """Parse app config text: ``${ENV}`` expansion, validation, ``{path}``/``{auto}`` expansion, setup.

    :raises ValueError: naming the missing environment variables, or each invalid key and its problem.
    """
    app_config = Payload.from_json(replace_env_vars(config_json), AppConfig)
    replace_config_args(app_config, auto_prefix=app_config.app_key())
    return app_config.setup()
