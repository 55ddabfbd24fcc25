"""App config model: enums, defaults, normalisation and effective settings (spec engine §3)."""

import json
from dataclasses import dataclass
from typing import Any, Dict

import pytest
from hopeit.app.config import (
    AppConfig,
    AppConnection,
    AppDescriptor,
    AppEngineConfig,
    Compression,
    EventConnection,
    EventConnectionType,
    EventDescriptor,
    EventLoggingConfig,
    EventPlugMode,
    EventSettings,
    EventStreamConfig,
    EventType,
    ReadStreamDescriptor,
    Serialization,
    StreamQueue,
    StreamQueueStrategy,
    WriteStreamDescriptor,
    parse_app_config_json,
)
from hopeit.contracts.settings import AuthType
from hopeit.dataobjects import dataobject
from hopeit.dataobjects.payload import Payload


@dataobject
@dataclass
class Greeting:
    greeting: str
    times: int = 1


def parse(config: Dict[str, Any]) -> AppConfig:
    return parse_app_config_json(json.dumps(config))


def test_enum_values() -> None:
    """Enum values are the strings config files use."""
    assert [e.value for e in EventType] == ["GET", "POST", "STREAM", "SERVICE", "MULTIPART", "SETUP"]
    assert [e.value for e in EventPlugMode] == ["Standalone", "OnApp"]
    assert [e.value for e in EventConnectionType] == ["GET", "POST"]
    assert [e.value for e in StreamQueueStrategy] == ["PROPAGATE", "DROP"]
    assert [e.value for e in Compression] == [
        "none",
        "lz4",
        "lz4:0",
        "lz4:16",
        "zip",
        "zip:1",
        "zip:9",
        "gzip",
        "gzip:1",
        "gzip:9",
        "bz2",
        "bz2:1",
        "bz2:9",
        "lzma",
    ]
    assert [e.name for e in Compression] == [
        "NONE",
        "LZ4",
        "LZ4_MIN",
        "LZ4_MAX",
        "ZIP",
        "ZIP_MIN",
        "ZIP_MAX",
        "GZIP",
        "GZIP_MIN",
        "GZIP_MAX",
        "BZ2",
        "BZ2_MIN",
        "BZ2_MAX",
        "LZMA",
    ]
    assert {e.name: e.value for e in Serialization} == {
        "JSON_UTF8": "json",
        "JSON_BASE64": "json+base64",
        "PICKLE3": "pickle:3",
        "PICKLE4": "pickle:4",
        "PICKLE5": "pickle:5",
    }


def test_stream_queue_defaults_are_fresh_lists() -> None:
    """``StreamQueue.default_queues()`` is ``["AUTO"]``, a new list each time."""
    first = StreamQueue.default_queues()
    assert first == ["AUTO"] and StreamQueue.AUTO == "AUTO"
    first.append("x")
    assert StreamQueue.default_queues() == ["AUTO"]


def test_descriptor_defaults() -> None:
    """Defaults of read/write stream, event and connection descriptors."""
    read = ReadStreamDescriptor(name="s", consumer_group="g")
    assert read.queues == ["AUTO"]
    write = WriteStreamDescriptor(name="s")
    assert write.queues == ["AUTO"] and write.queue_strategy is StreamQueueStrategy.DROP
    event = EventDescriptor(type=EventType.GET)
    assert event.plug_mode is EventPlugMode.STANDALONE
    assert (event.route, event.impl, event.read_stream, event.write_stream) == (None, None, None, None)
    assert event.connections == [] and event.auth == [] and event.setting_keys == [] and event.dataobjects == []
    assert event.group == "DEFAULT" == EventDescriptor.DEFAULT_GROUP
    conn = AppConnection(name="other", version="1.0")
    assert conn.client == "<<NO CLIENT CONFIGURED>>"
    assert (conn.settings, conn.plugin_name, conn.plugin_version) == (None, None, None)


def test_event_settings_defaults() -> None:
    """Stream, logging and timeout defaults of an event."""
    stream = EventStreamConfig()
    assert (stream.timeout, stream.target_max_len, stream.throttle_ms, stream.step_delay, stream.batch_size) == (
        60.0,
        0,
        0,
        0,
        100,
    )
    assert stream.compression is None and stream.serialization is None
    settings = EventSettings()
    assert settings.response_timeout == 60.0 and settings.extras == {}
    assert settings.logging == EventLoggingConfig()


def test_engine_config_defaults() -> None:
    """Engine defaults: lz4 + json+base64, 1000 ms read timeout and interval, both track ids."""
    engine = AppEngineConfig()
    assert engine.import_modules is None
    assert (engine.read_stream_timeout, engine.read_stream_interval) == (1000, 1000)
    assert engine.default_stream_compression is Compression.LZ4
    assert engine.default_stream_serialization is Serialization.JSON_BASE64
    assert engine.track_headers == ["track.request_id", "track.request_ts"]
    assert engine.cors_origin is None and engine.cors_routes_prefix is None


@pytest.mark.parametrize(
    "given, expected",
    [
        ([], ["track.request_id", "track.request_ts"]),
        (["request_id", "correlation_id"], ["track.request_ts", "track.request_id", "track.correlation_id"]),
        (["track.session_id"], ["track.request_id", "track.request_ts", "track.session_id"]),
        (["request_ts", "caller"], ["track.request_id", "track.request_ts", "track.caller"]),
    ],
    ids=["defaults", "spec-example", "already-prefixed", "request-ts-given"],
)
def test_track_headers_normalisation(given: Any, expected: Any) -> None:
    """Prefixed with ``track.``; request_ts then request_id prepended when missing."""
    assert AppEngineConfig(track_headers=given).track_headers == expected


@pytest.mark.parametrize(
    "given, expected",
    [
        ([], ["stream.name", "stream.msg_id", "stream.consumer_group"]),
        (["submit_ts", "stream.event_id"], ["stream.submit_ts", "stream.event_id"]),
    ],
    ids=["defaults", "prefixing"],
)
def test_stream_fields_prefixing(given: Any, expected: Any) -> None:
    """Empty stream_fields get the defaults; entries are prefixed with ``stream.``."""
    logging = EventLoggingConfig(stream_fields=given)
    assert logging.stream_fields == expected and logging.extra_fields == []


def test_app_descriptor_requires_name_and_version() -> None:
    """Empty name or version is a ValueError (also when parsed from JSON)."""
    with pytest.raises(ValueError, match=r"app.name must not be empty"):
        AppDescriptor(name="", version="1.0")
    with pytest.raises(ValueError, match=r"app.version must not be empty"):
        AppDescriptor(name="a", version="")
    with pytest.raises(ValueError, match=r"app: app.version must not be empty"):
        parse({"app": {"name": "a", "version": ""}})


def test_app_key_follows_name_and_version() -> None:
    """``app_key()`` is ``auto_path(name, version)``, also after the descriptor changes."""
    app = AppDescriptor(name="simple-example", version="0.24")
    assert app.app_key() == "simple_example.0x24"
    app.version = "1.0"
    assert app.app_key() == "simple_example.1x0"
    app.name = "other.app"
    assert app.app_key() == "otherxapp.1x0"
    config = AppConfig(app=AppDescriptor(name="my-app", version="1.0"))
    assert config.app_key() == "my_app.1x0"


def test_app_config_defaults() -> None:
    """A minimal config has empty sections and no server."""
    config = parse({"app": {"name": "a", "version": "1"}})
    assert config.engine == AppEngineConfig()
    assert config.app_connections == {} and config.env == {} and config.events == {}
    assert config.server is None and config.plugins == [] and config.settings == {}
    assert config.effective_settings == {}


def test_read_stream_name_cannot_be_auto() -> None:
    """``{auto}`` cannot name a stream to read."""
    with pytest.raises(ValueError, match=r"read_stream.name cannot be"):
        EventDescriptor(type=EventType.STREAM, read_stream=ReadStreamDescriptor(name="x.{auto}", consumer_group="g"))


def test_invalid_enum_in_json_names_the_key() -> None:
    """An invalid event type is a validation error naming ``events.<name>.type``."""
    with pytest.raises(ValueError, match=r"events\.e\.type: Input should be 'GET'"):
        parse({"app": {"name": "a", "version": "1"}, "events": {"e": {"type": "PUT"}}})


def test_unknown_keys_are_ignored() -> None:
    """Keys the model does not know are ignored."""
    config = parse({"app": {"name": "a", "version": "1", "extra": 1}, "whatever": {}})
    assert config.app == AppDescriptor("a", "1")


def test_full_descriptor_from_json() -> None:
    """Every descriptor field parses from JSON with its enum types."""
    config = parse(
        {
            "app": {"name": "a", "version": "1"},
            "app_connections": {"conn": {"name": "b", "version": "2", "client": "apps-client"}},
            "plugins": [{"name": "p", "version": "1"}],
            "events": {
                "e": {
                    "type": "POST",
                    "plug_mode": "OnApp",
                    "route": "custom/route",
                    "impl": "mod.e",
                    "connections": [{"app_connection": "conn", "event": "x", "type": "GET"}],
                    "write_stream": {"name": "out", "queues": ["AUTO", "q"], "queue_strategy": "PROPAGATE"},
                    "auth": ["Basic", "Bearer"],
                    "setting_keys": ["k"],
                    "dataobjects": ["m.T"],
                    "group": "g",
                }
            },
        }
    )
    event = config.events["e"]
    assert event.plug_mode is EventPlugMode.ON_APP and event.route == "custom/route" and event.impl == "mod.e"
    assert event.connections == [EventConnection(app_connection="conn", event="x", type=EventConnectionType.GET)]
    assert event.write_stream == WriteStreamDescriptor("out", ["AUTO", "q"], StreamQueueStrategy.PROPAGATE)
    assert event.auth == [AuthType.BASIC, AuthType.BEARER]
    assert (event.setting_keys, event.dataobjects, event.group) == (["k"], ["m.T"], "g")
    assert config.app_connections["conn"].client == "apps-client"
    assert config.plugins == [AppDescriptor("p", "1")]


def test_effective_settings_merge_stream_sections_by_stream_name() -> None:
    """Write stream section, else read stream section, then the event's own ``stream`` on top."""
    config = parse(
        {
            "app": {"name": "a", "version": "1"},
            "engine": {"default_stream_compression": "zip", "default_stream_serialization": "json"},
            "settings": {
                "out.stream": {"batch_size": 7, "target_max_len": 10},
                "in.stream": {"timeout": 5.0, "throttle_ms": 3},
                "writer": {"stream": {"target_max_len": 99}, "response_timeout": 2.5},
                "reader": {"logging": {"extra_fields": ["who"]}},
            },
            "events": {
                "writer": {"type": "GET", "write_stream": {"name": "out.stream"}},
                "reader": {
                    "type": "STREAM",
                    "read_stream": {"name": "in.stream", "consumer_group": "g"},
                    "write_stream": {"name": "elsewhere"},
                },
                "plain": {"type": "STREAM", "read_stream": {"name": "in.stream", "consumer_group": "g"}},
            },
        }
    )
    effective = config.effective_settings
    assert effective is not None
    writer = Payload.from_obj(effective["writer"], EventSettings)
    assert writer.response_timeout == 2.5
    assert (writer.stream.batch_size, writer.stream.target_max_len) == (7, 99)
    assert writer.stream.compression is Compression.ZIP and writer.stream.serialization is Serialization.JSON_UTF8
    reader = Payload.from_obj(effective["reader"], EventSettings)
    # write_stream wins over read_stream: the read stream's section is not used
    assert reader.stream.timeout == 60.0 and reader.stream.throttle_ms == 0
    assert reader.logging.extra_fields == ["who"]
    plain = Payload.from_obj(effective["plain"], EventSettings)
    assert (plain.stream.timeout, plain.stream.throttle_ms) == (5.0, 3)


def test_effective_settings_keep_explicit_compression() -> None:
    """Engine defaults only fill compression/serialization when the event has none."""
    config = parse(
        {
            "app": {"name": "a", "version": "1"},
            "settings": {"e": {"stream": {"compression": "gzip:9", "serialization": "pickle:5"}}},
            "events": {"e": {"type": "GET"}, "f": {"type": "GET"}},
        }
    )
    effective = config.effective_settings
    assert effective is not None
    assert effective["e"]["stream"]["compression"] == "gzip:9"
    assert effective["e"]["stream"]["serialization"] == "pickle:5"
    assert effective["f"]["stream"]["compression"] == "lz4"
    assert effective["f"]["stream"]["serialization"] == "json+base64"


def test_settings_extras_own_section_and_setting_keys() -> None:
    """``"_"`` is the event's own section; each listed setting key with a section is added; others skipped."""
    config = parse(
        {
            "app": {"name": "a", "version": "1"},
            "settings": {"e": {"greeting": "hi", "times": 2}, "shared": {"greeting": "all"}},
            "events": {"e": {"type": "GET", "setting_keys": ["shared", "missing"]}, "bare": {"type": "GET"}},
        }
    )
    effective = config.effective_settings
    assert effective is not None
    extras = effective["e"]["extras"]
    assert extras == {"_": {"greeting": "hi", "times": 2}, "shared": {"greeting": "all"}}
    assert effective["bare"]["extras"] == {}
    settings = Payload.from_obj(effective["e"], EventSettings)
    assert settings(datatype=Greeting) == Greeting("hi", 2)
    assert settings(key="shared", datatype=Greeting) == Greeting("all")


def test_settings_extras_are_validated_only_when_read() -> None:
    """A settings section not matching its datatype fails when read, naming the field."""
    settings = EventSettings(extras={"_": {"times": "many"}})
    with pytest.raises(ValueError, match="greeting: Field required"):
        settings(datatype=Greeting)
    with pytest.raises(ValueError, match="greeting: Field required"):
        settings(key="absent", datatype=Greeting)


def test_setup_returns_self() -> None:
    """``setup()`` returns the config itself."""
    config = AppConfig(app=AppDescriptor("a", "1"), events={"e": EventDescriptor(type=EventType.GET)})
    assert config.setup() is config
    assert config.effective_settings is not None and set(config.effective_settings) == {"e"}
