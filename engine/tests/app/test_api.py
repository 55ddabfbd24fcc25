"""``event_api``: the operations it writes, compared with what hopeit.engine 0.24 wrote for the same calls."""

import types
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum, IntEnum
from typing import Any, Dict, List, Optional, Union

import pytest
from hopeit.app.api import EventApi, event_api, runtime_schemas
from hopeit.app.config import AppConfig, AppDescriptor, EventDescriptor, EventType
from hopeit.dataobjects import BinaryAttachment, dataobject


class Color(str, Enum):
    RED = "red"


class Level(IntEnum):
    ONE = 1


@dataobject
@dataclass
class Inner:
    x: int


INNER = {"$ref": "#/components/schemas/Inner"}
INNERS = {"type": "array", "items": INNER}


def _operation(api: EventApi, event_type: EventType = EventType.GET, doc: str = "Probe") -> Dict[str, Any]:
    module = types.ModuleType("probe_event", doc)
    config = AppConfig(app=AppDescriptor(name="probe", version="1"), events={"ev": EventDescriptor(type=event_type)})
    return api(module, config, "ev")


@pytest.fixture(autouse=True)
def _no_schemas() -> None:
    runtime_schemas.clear()


def test_query_args_as_024_wrote_them() -> None:
    operation = _operation(event_api(query_args=[
        ("e", Color), ("ie", Level), ("li", List[int]), ("oi", Optional[int], "oi"), ("d", date), ("dec", Decimal),
        ("ob", Optional[bool]),
    ]))
    assert operation["parameters"] == [
        {"name": "e", "in": "query", "required": True, "description": "e", "schema": {"type": "string"}},
        {"name": "ie", "in": "query", "required": True, "description": "ie", "schema": {"type": "string"}},
        {"name": "li", "in": "query", "required": True, "description": "li", "schema": {"type": "string"}},
        {"name": "oi", "in": "query", "required": False, "description": "oi", "schema": {"type": "integer"}},
        {"name": "d", "in": "query", "required": True, "description": "d",
         "schema": {"type": "string", "format": "date"}},
        {"name": "dec", "in": "query", "required": True, "description": "dec", "schema": {"type": "string"}},
        {"name": "ob", "in": "query", "required": False, "description": "ob", "schema": {"type": "boolean"}},
    ]


def test_union_query_args_are_strings() -> None:
    """0.24 documented ``Union[int, str]`` as an optional integer (so "abc" failed validation): ours a string."""
    operation = _operation(event_api(query_args=[("u", Union[int, str]), ("ou", Optional[Union[int, str]])]))
    assert operation["parameters"] == [
        {"name": "u", "in": "query", "required": True, "description": "u", "schema": {"type": "string"}},
        {"name": "ou", "in": "query", "required": False, "description": "ou", "schema": {"type": "string"}},
    ]


def test_list_query_args_are_validated_as_arrays() -> None:
    api = event_api(query_args=[("li", List[int]), ("ol", Optional[List[Color]]), ("s", str)])
    assert api.validation_schemas() == {
        "li": {"type": "array", "items": {"type": "integer"}},
        "ol": {"type": "array", "items": {"type": "string"}},
    }


def test_responses_as_024_wrote_them() -> None:
    operation = _operation(event_api(responses={200: int, 201: (Inner, "an inner"), 202: Inner,
                                                204: (List[Inner], "inners"), 205: List[Inner]}))
    assert operation["responses"] == {
        "200": {"description": "int", "content": {"application/json": {"schema": {
            "type": "object", "required": ["ev"], "properties": {"ev": {"type": "integer"}},
            "description": "ev integer payload"}}}},
        "201": {"description": "an inner", "content": {"application/json": {"schema": INNER}}},
        "202": {"description": "Inner", "content": {"application/json": {"schema": INNER}}},
        "204": {"description": "inners", "content": {"application/json": {"schema": INNERS}}},
        "205": {"description": "List", "content": {"application/json": {"schema": INNERS}}},
    }
    assert list(runtime_schemas) == ["Inner"]


def test_responses_024_pointed_at_missing_schemas() -> None:
    """0.24 wrote ``$ref`` to schemas it never added (``#/components/schemas/str``, ``.../Dict``,
    ``.../Optional``, ``.../Union``): ours describe the types."""
    operation = _operation(event_api(responses={
        200: (List[str], "strs"), 201: (Dict[str, int], "a dict"), 202: (Optional[Inner], "opt"),
        203: (Union[Inner, str], "union"),
    }))
    schemas = {status: r["content"]["application/json"]["schema"] for status, r in operation["responses"].items()}
    assert schemas == {
        "200": {"type": "array", "items": {"type": "string"}},
        "201": {"type": "object", "additionalProperties": {"type": "integer"}},
        "202": INNER,
        "203": {"anyOf": [INNER, {"type": "string"}]},
    }


def test_multipart_fields_as_024_wrote_them() -> None:
    operation = _operation(event_api(
        fields=[("i", int, "an int"), ("ls", List[Inner], "list"), ("b", bool, "b"), ("s", str),
                ("f", BinaryAttachment, "a file")],
        responses={200: str},
    ), EventType.MULTIPART, "Probe 6")
    assert operation["summary"] == operation["description"] == "Probe 6"
    assert operation["requestBody"] == {"required": True, "content": {"multipart/form-data": {
        "schema": {"type": "object", "required": ["i", "ls", "b", "s", "f"], "properties": {
            "i": {"type": "integer", "description": "an int"},
            "ls": {"type": "array", "items": INNER, "description": "list"},
            "b": {"type": "boolean", "description": "b"},
            "s": {"type": "string", "description": "s"},
            "f": {"type": "string", "format": "binary", "description": "a file"},
        }},
        "encoding": {
            "i": {"contentType": "application/json"},
            "ls": {"contentType": "application/json"},
            "b": {"contentType": "application/json"},
            "s": {"contentType": "text/plain"},
            # 0.24 wrote "application/octect-stream"
            "f": {"contentType": "application/octet-stream"},
        },
    }}}


def test_multipart_payload_as_024_wrote_it() -> None:
    operation = _operation(event_api(payload=(Inner, "inner as multipart")), EventType.MULTIPART)
    assert operation["requestBody"] == {"description": "inner as multipart", "required": True,
                                        "content": {"multipart/form-data": {"schema": INNER}}}


def test_atomic_request_body_is_read_under_value() -> None:
    """0.24 documented ``{"ev": "..."}``, but its server read (and ours reads) ``{"value": "..."}``."""
    operation = _operation(event_api(payload=(str, "some text")), EventType.POST)
    assert operation["requestBody"] == {"description": "some text", "required": True, "content": {
        "application/json": {"schema": {"type": "object", "required": ["value"],
                                        "properties": {"value": {"type": "string"}},
                                        "description": "ev string payload"}}}}
