"""The AsyncAPI 3.0 document of streams (``hopeit.server.asyncapi``): channels, operations, messages, servers."""

import copy
from typing import Any, Dict, List, Optional, Union

import pytest
from asyncapi_support import asyncapi_problems, check_document
from hopeit.app.config import AppConfig, EventPlugMode
from hopeit.contracts.settings import ServerConfig, StreamsConfig
from hopeit.dataobjects import DataObject, dataclass, dataobject
from hopeit.dataobjects.schema import schema_with_components
from hopeit.server.asyncapi import CONSUMER_GROUP_FIELD, HEADERS_SCHEMA, asyncapi_document, streams_server
from hopeit.server.asyncapi_schemas import (
    HEADER_FIELDS,
    asyncapi_schema,
    documented_types,
    import_dataobject,
    message_headers_schema,
    read_types,
    written_types,
)
from hopeit.server.steps import step_info
from hopeit.testing.apps import config
from mock_app import MOCK_APP_CONFIG, MockData


@pytest.fixture
def mock_app() -> AppConfig:
    return config(MOCK_APP_CONFIG)


def _document(*apps: AppConfig, **options: Any) -> Dict[str, Any]:
    return asyncapi_document(ServerConfig(), list(apps), **options)


def _operations(document: Dict[str, Any], event: str) -> Dict[str, Dict[str, Any]]:
    return {name: op for name, op in document["operations"].items() if op["x-hopeit-event"] == event}


def _message_names(document: Dict[str, Any], operation: Dict[str, Any]) -> List[str]:
    return [ref["$ref"].rsplit("/", 1)[1] for ref in operation.get("messages", [])]


def test_mock_app_document_is_valid_asyncapi_3(mock_app: AppConfig) -> None:
    document = _document(mock_app)
    check_document(document)
    assert document["asyncapi"] == "3.0.0"
    assert document["defaultContentType"] == "application/json"
    assert document["info"]["title"] == "hopeit.engine streams"
    assert "mock_app.1x0" in document["info"]["description"]


def test_invalid_documents_are_caught_by_the_schema(mock_app: AppConfig) -> None:
    document = _document(mock_app)
    broken = copy.deepcopy(document)
    broken["operations"]["mock_app.1x0.mock_post.send"]["action"] = "publish"  # AsyncAPI 2 wording
    del broken["servers"]["streams"]["host"]
    problems = asyncapi_problems(broken)
    assert len(problems) == 2, problems


def test_one_channel_per_stream_and_queue(mock_app: AppConfig) -> None:
    channels = _document(mock_app)["channels"]
    assert {cid: c["address"] for cid, c in channels.items()} == {
        "mock_app.1x0.mock_post": "mock_app.1x0.mock_post",
        "mock_app.1x0.mock_post.high": "mock_app.1x0.mock_post.high",
        "mock_app.spawned": "mock_app.spawned",
        "mock_app.1x0.mock_shuffle.produce": "mock_app.1x0.mock_shuffle.produce",
        "mock_app.processed": "mock_app.processed",
    }
    high = channels["mock_app.1x0.mock_post.high"]
    assert (high["x-hopeit-stream"], high["x-hopeit-queue"]) == ("mock_app.1x0.mock_post", "high")
    assert channels["mock_app.1x0.mock_post"]["x-hopeit-queue"] == "AUTO"
    # the automatic stream between SHUFFLE stages, and only that one, is internal
    assert [cid for cid, c in channels.items() if c.get("x-hopeit-internal")] == ["mock_app.1x0.mock_shuffle.produce"]
    assert "SHUFFLE stages of event `mock_shuffle`" in channels["mock_app.1x0.mock_shuffle.produce"]["description"]


def test_send_operations_carry_what_the_steps_end_with(mock_app: AppConfig) -> None:
    document = _document(mock_app)
    post = _operations(document, "mock_post")
    assert set(post) == {"mock_app.1x0.mock_post.send", "mock_app.1x0.mock_post.send.high"}
    for operation in post.values():
        assert operation["action"] == "send"
        assert _message_names(document, operation) == ["MockResult"]
        assert operation["x-hopeit-queue-strategy"] == "DROP"
        assert (operation["x-hopeit-serialization"], operation["x-hopeit-compression"]) == ("json+base64", "lz4")
        assert operation["tags"] == [{"name": "mock_app.1x0"}]
    # generator steps feeding later steps: only the last step's MockData is written
    (spawn,) = _operations(document, "mock_spawn").values()
    assert spawn["channel"] == {"$ref": "#/channels/mock_app.spawned"}
    assert _message_names(document, spawn) == ["MockData"]
    (service,) = _operations(document, "mock_service").values()
    assert (service["channel"]["$ref"], service["x-hopeit-event-type"]) == ("#/channels/mock_app.spawned", "SERVICE")
    (shuffle,) = _operations(document, "mock_shuffle").values()
    assert shuffle["channel"] == {"$ref": "#/channels/mock_app.1x0.mock_shuffle.produce"}
    assert shuffle["x-hopeit-queue-strategy"] == "PROPAGATE"


def test_receive_operations_name_their_consumer_group(mock_app: AppConfig) -> None:
    document = _document(mock_app)
    receives = {op["x-hopeit-event"]: op for op in document["operations"].values() if op["action"] == "receive"}
    assert {event: (op["channel"]["$ref"], op[CONSUMER_GROUP_FIELD]) for event, op in receives.items()} == {
        "mock_stream": ("#/channels/mock_app.spawned", "mock_app.1x0.mock_stream"),
        "mock_generic_stream": ("#/channels/mock_app.processed", "mock_app.1x0.mock_generic_stream"),
        "mock_shuffle$consume": ("#/channels/mock_app.1x0.mock_shuffle.produce", "mock_app.1x0.mock_shuffle.consume"),
    }
    assert _message_names(document, receives["mock_stream"]) == ["MockData"]
    # a step taking DataObject reads the classes listed in the event's "dataobjects"
    assert _message_names(document, receives["mock_generic_stream"]) == ["MockResult"]
    # a stage reads what any of its steps takes, as the read loop decodes it
    assert _message_names(document, receives["mock_shuffle$consume"]) == ["MockData", "MockResult"]
    # the stream event writes as well
    assert _operations(document, "mock_stream")["mock_app.1x0.mock_stream.send"]["channel"] == {
        "$ref": "#/channels/mock_app.processed"}


def test_messages_share_the_openapi_data_object_schemas(mock_app: AppConfig) -> None:
    components = _document(mock_app)["components"]
    message = components["messages"]["MockData"]
    assert message == {
        "name": "mock_app.MockData",
        "title": "MockData",
        "summary": "Payload used across the mock app.",
        "contentType": "application/json",
        "headers": {"$ref": f"#/components/schemas/{HEADERS_SCHEMA}"},
        "payload": {"$ref": "#/components/schemas/MockData"},
    }
    _, openapi_components = schema_with_components(MockData)
    assert components["schemas"]["MockData"] == openapi_components["MockData"]
    assert components["schemas"]["MockData"]["x-module-name"] == "mock_app"
    assert set(components["messages"]) == {"MockData", "MockResult"}


def test_headers_are_the_fields_the_engine_writes_beside_the_payload(mock_app: AppConfig) -> None:
    mock_app.engine.track_headers.append("track.session_id")
    headers = _document(mock_app)["components"]["schemas"][HEADERS_SCHEMA]
    assert headers["required"] == ["id", "type", "submit_ts", "event_ts", "auth_info", "ser", "comp", "queue"]
    # the app's track headers are named, any other track/stream/event field is allowed
    assert {"track.request_id", "track.request_ts", "track.session_id", "track.operation_id"} <= set(
        headers["properties"])
    assert "json+base64" in headers["properties"]["ser"]["enum"]
    assert "lz4" in headers["properties"]["comp"]["enum"]
    assert list(headers["patternProperties"]) == [r"^(track|stream|event)\."]


def test_message_headers_schema_lists_each_name_once() -> None:
    schema = message_headers_schema(["track.request_id", "track.request_ts", "track.request_id"])
    assert list(schema["properties"]) == [*HEADER_FIELDS, "track.operation_id", "track.request_id",
                                          "track.request_ts"]


def test_info_and_enabled_groups(mock_app: AppConfig) -> None:
    mock_app.events["mock_stream"].group = "slow"
    document = _document(mock_app, title="T", version="2.1", description="D", enabled_groups=["fast"])
    assert document["info"] == {"title": "T", "version": "2.1", "description": "D"}
    assert not _operations(document, "mock_stream")
    assert _operations(_document(mock_app, enabled_groups=["slow"]), "mock_stream")
    assert _operations(_document(mock_app), "mock_stream")  # no groups named: every event


def test_on_app_events_are_not_streams_of_the_plugin(mock_app: AppConfig) -> None:
    mock_app.events["mock_post"].plug_mode = EventPlugMode.ON_APP
    document = _document(mock_app)
    assert not _operations(document, "mock_post")
    assert "mock_app.1x0.mock_post" not in document["channels"]


def test_a_missing_dataobjects_class_is_reported(mock_app: AppConfig) -> None:
    mock_app.events["mock_generic_stream"].dataobjects = ["mock_app.NoSuchThing"]
    with pytest.raises(ImportError, match=r"dataobjects entry 'mock_app\.NoSuchThing'"):
        _document(mock_app)
    with pytest.raises(ImportError, match="not a class"):
        import_dataobject("mock_app.MOCK_APP_CONFIG")


def test_channel_used_internally_and_by_an_event_is_not_internal(mock_app: AppConfig) -> None:
    # an event of the app writing to the SHUFFLE stream by name makes it a public channel
    mock_app.events["mock_spawn"].write_stream.name = "mock_app.1x0.mock_shuffle.produce"  # type: ignore[union-attr]
    channel = _document(mock_app)["channels"]["mock_app.1x0.mock_shuffle.produce"]
    assert "x-hopeit-internal" not in channel


@dataobject
@dataclass
class Left:
    value: int


@dataobject
@dataclass
class Right:
    value: str


@dataobject(schema=False)
@dataclass
class Hidden:
    value: str


# steps only introspected (``step_info``), never run
def _first(payload: None, context: Any) -> Union[Left, Right]:
    raise NotImplementedError


def _left(payload: Left, context: Any) -> Optional[Right]:
    raise NotImplementedError


def _either(payload: Union[Left, Right], context: Any) -> Hidden:
    raise NotImplementedError


def _any(payload: DataObject, context: Any) -> None:
    raise NotImplementedError


def test_written_types_follow_the_step_chain() -> None:
    steps = [("first", step_info(_first)), ("left", step_info(_left))]
    assert written_types(steps) == [Right]  # Left goes on to `left`; Right ends the chain
    assert written_types([*steps, ("either", step_info(_either))]) == []  # Hidden is not documented
    assert written_types([("first", step_info(_first)), ("any", step_info(_any))]) == []
    assert written_types([("first", step_info(_first))]) == [Left, Right]


def test_read_types_are_data_object_inputs_and_listed_dataobjects() -> None:
    steps = [("left", step_info(_left)), ("either", step_info(_either)), ("any", step_info(_any))]
    assert read_types(steps, ["test_asyncapi.Right", "test_asyncapi.Hidden", "test_asyncapi.Left"]) == [Left, Right]


def test_asyncapi_schema_rewrites_openapi_3_0_keywords() -> None:
    schema = {
        "type": "object",
        "properties": {
            "maybe": {"type": "integer", "nullable": True, "exclusiveMinimum": True, "minimum": 0},
            "capped": {"type": "number", "exclusiveMaximum": False, "maximum": 9},
            "kind": {"type": "string", "enum": ["a", "b"], "nullable": True},
            "ref": {"allOf": [{"$ref": "#/components/schemas/X"}], "nullable": True, "description": "d"},
            "items": {"type": "array", "items": {"type": "string", "example": "x"}},
        },
        "additionalProperties": {"anyOf": [{"type": "string", "nullable": True}]},
    }
    assert asyncapi_schema(schema) == {
        "type": "object",
        "properties": {
            "maybe": {"type": ["integer", "null"], "exclusiveMinimum": 0},
            "capped": {"type": "number", "maximum": 9},
            "kind": {"type": ["string", "null"], "enum": ["a", "b", None]},
            "ref": {"anyOf": [{"allOf": [{"$ref": "#/components/schemas/X"}]}, {"type": "null"}], "description": "d"},
            "items": {"type": "array", "items": {"type": "string", "examples": ["x"]}},
        },
        "additionalProperties": {"anyOf": [{"type": ["string", "null"]}]},
    }
    assert asyncapi_schema(True) is True


@pytest.mark.parametrize(("manager", "connection", "expected"), [
    ("memory", "<<NoStreamManager>>", {"host": "localhost", "protocol": "memory"}),
    ("hopeit.streams.NoStreamManager", "", {"host": "localhost", "protocol": "memory"}),
    ("redis", "redis://user:secret@redis.local:6380/2",
     {"host": "redis.local:6380", "protocol": "redis", "pathname": "/2"}),
    ("hopeit.redis_streams.RedisStreamManager", "rediss://cache", {"host": "cache", "protocol": "redis"}),
    ("acme.streams.KafkaManager", "kafka://broker:9092", {"host": "broker:9092", "protocol": "kafka"}),
    ("acme", "${NOT_SET}", {"host": "unknown", "protocol": "acme"}),
])
def test_streams_server_from_server_config(manager: str, connection: str, expected: Dict[str, str]) -> None:
    server = streams_server(StreamsConfig(stream_manager=manager, connection_str=connection))
    assert {k: v for k, v in server.items() if k in ("host", "protocol", "pathname")} == expected
    assert server["x-hopeit-stream-manager"] == manager
    assert "secret" not in str(server)
    if connection.startswith("rediss"):
        assert "TLS" in server["description"]
    document = asyncapi_document(ServerConfig(streams=StreamsConfig(stream_manager=manager, connection_str=connection)),
                                 [])
    assert asyncapi_problems(document) == []
    assert document["channels"] == {} and document["operations"] == {}


def test_each_schema_once_with_its_required_fields(mock_app: AppConfig) -> None:
    schemas = _document(mock_app)["components"]["schemas"]
    assert list(schemas) == [HEADERS_SCHEMA, "MockResult", "MockData"]
    assert schemas["MockResult"]["required"] == ["id", "processed"]


def test_ids_keep_to_the_characters_asyncapi_takes_and_stay_unique(mock_app: AppConfig) -> None:
    mock_app.events["mock_spawn"].write_stream.name = "mock_app$spawned"  # type: ignore[union-attr]
    mock_app.events["mock_service"].write_stream.name = "mock_app_spawned"  # type: ignore[union-attr]
    document = _document(mock_app)
    check_document(document)
    assert document["channels"]["mock_app_spawned"]["address"] == "mock_app$spawned"
    assert document["channels"]["mock_app_spawned_2"]["address"] == "mock_app_spawned"
    assert "mock_app.1x0.mock_shuffle_consume.receive" in document["operations"]


def test_documented_types_skip_unresolved_annotations() -> None:
    assert documented_types("MockData") == []
    assert documented_types(Optional[List[MockData]]) == [MockData]
