"""Pieces of the AsyncAPI document of streams: payload types of steps, schemas, message headers.

The data object schemas are the ones the OpenAPI spec holds (``hopeit.dataobjects.schema``, the
shape hopeit.engine 0.24 wrote), rewritten where OpenAPI 3.0 and JSON Schema draft 07 (the base of
the AsyncAPI Schema Object) read a keyword differently: ``nullable``, boolean
``exclusiveMinimum``/``exclusiveMaximum`` and ``example``.
"""

import importlib
import typing
from typing import Any, Dict, Iterator, List, Sequence, Tuple

from hopeit.app.config import Compression, Serialization
from hopeit.dataobjects import DataObject
from hopeit.server.steps import StepInfo

__all__ = [
    "HEADER_FIELDS",
    "asyncapi_schema",
    "documented_types",
    "import_dataobject",
    "message_headers_schema",
    "read_types",
    "written_types",
]

Steps = Sequence[Tuple[str, StepInfo]]

_NAMED = ("properties", "patternProperties", "definitions")
_NESTED = ("items", "additionalProperties", "not")
_COMBINED = ("allOf", "anyOf", "oneOf")


def asyncapi_schema(schema: Any) -> Any:
    """An OpenAPI 3.0 schema object (as the OpenAPI spec has it) as an AsyncAPI 3 Schema Object.

    ``nullable: true`` becomes ``"null"`` among the types (or ``anyOf [..., {type: null}]``);
    boolean exclusive bounds become the numeric draft 07 ones; ``example`` becomes ``examples``.
    """
    if not isinstance(schema, dict):
        return schema
    out: Dict[str, Any] = {}
    for key, value in schema.items():
        if key in _NAMED and isinstance(value, dict):
            out[key] = {name: asyncapi_schema(sub) for name, sub in value.items()}
        elif key in _NESTED:
            out[key] = asyncapi_schema(value)
        elif key in _COMBINED and isinstance(value, list):
            out[key] = [asyncapi_schema(sub) for sub in value]
        else:
            out[key] = value
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(bound), bool):
            if out.pop(bound) and plain in out:
                out[bound] = out.pop(plain)
    if "example" in out:
        out["examples"] = [out.pop("example")]
    if out.pop("nullable", False):
        out = _nullable(out)
    return out


def _nullable(schema: Dict[str, Any]) -> Dict[str, Any]:
    kind = schema.get("type")
    if isinstance(kind, str):
        schema["type"] = [kind, "null"]
        if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
        return schema
    description = schema.pop("description", None)
    wrapped: Dict[str, Any] = {"anyOf": [schema, {"type": "null"}]}
    if description is not None:
        wrapped["description"] = description
    return wrapped


def _unpack(annotation: Any) -> Iterator[Any]:
    """An annotation and every type argument inside it (``Union``, ``Optional``, ``Spawn``...)."""
    if annotation is None or isinstance(annotation, (str, int)):
        return
    yield annotation
    for arg in typing.get_args(annotation):
        yield from _unpack(arg)


def _documented(datatype: Any) -> bool:
    """A ``@dataobject`` class whose schema is documented (``@dataobject(schema=False)`` opts out)."""
    options = getattr(datatype, "__data_object__", None)
    return isinstance(datatype, type) and options is not None and bool(options.get("schema", True))


def documented_types(annotation: Any) -> List[type]:
    """The documented data objects inside an annotation, once each, in order of appearance."""
    return list(dict.fromkeys(t for t in _unpack(annotation) if _documented(t)))


def _accepts(input_type: Any, datatype: type) -> bool:
    """Whether a step taking ``input_type`` is the next step of a ``datatype`` result (``StepsChain``)."""
    if input_type is DataObject:
        return True
    if typing.get_origin(input_type) is typing.Union:
        return any(isinstance(arg, type) and issubclass(datatype, arg) for arg in typing.get_args(input_type))
    return isinstance(input_type, type) and issubclass(datatype, input_type)


def written_types(steps: Steps) -> List[type]:
    """Data objects the steps can end with, so that the engine writes them to the event's stream.

    A step's result goes on to the next step that takes its type; a result no later step takes
    ends the chain and is published (each item a generator step yields, one by one).
    """
    found: List[type] = []
    for index, (_, info) in enumerate(steps):
        for datatype in documented_types(info.return_type):
            if not any(_accepts(later.input_type, datatype) for _, later in steps[index + 1:]):
                found.append(datatype)
    return list(dict.fromkeys(found))


def import_dataobject(dotted: str) -> type:
    """The class ``<module>.<name>`` listed in an event's ``dataobjects``.

    :raises ImportError: the module or the class cannot be found.
    """
    module_name, _, name = dotted.rpartition(".")
    try:
        found = getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ImportError(f"dataobjects entry '{dotted}' cannot be imported: {exc}") from None
    if not isinstance(found, type):
        raise ImportError(f"dataobjects entry '{dotted}' is not a class")
    return found


def read_types(steps: Steps, dataobjects: Sequence[str]) -> List[type]:
    """Data objects a STREAM event (or stage) reads: as the engine's read loop decodes them.

    Every step input that is a data object, and for steps taking ``DataObject``, the classes the
    event lists in ``dataobjects``.
    """
    found: List[type] = []
    for _, info in steps:
        if info.input_type is DataObject:
            found.extend(t for t in map(import_dataobject, dataobjects) if _documented(t))
        elif _documented(info.input_type):
            found.append(info.input_type)
    return list(dict.fromkeys(found))


#: Fields of a stream message beside ``payload``, as every stream manager writes them (``hopeit.streams.messages``).
HEADER_FIELDS: Dict[str, Dict[str, Any]] = {
    "id": {"type": "string", "description": "Event id of the payload (its `event_id` field)."},
    "type": {"type": "string", "description": "Payload type, `<module>.<qualname>`: readers decode it by this name."},
    "submit_ts": {"type": "string", "format": "date-time", "description": "When the message was written (UTC)."},
    "event_ts": {"type": "string", "description": "Event time of the payload (UTC ISO-8601), or empty."},
    "auth_info": {"type": "string", "contentEncoding": "base64",
                  "description": "Auth info of the writing event, base64 of its JSON."},
    "ser": {"type": "string", "enum": [s.value for s in Serialization],
            "description": "Serialization of `payload` (`json+base64` unless the event settings say otherwise)."},
    "comp": {"type": "string", "enum": [c.value for c in Compression],
             "description": "Compression of `payload`, applied after serialization (`lz4` by default)."},
    "queue": {"type": "string", "description": "Queue of the message (`AUTO`: the stream itself)."},
    "traceparent": {"type": "string", "pattern": "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}",
                    "description": "W3C trace context of the writing event (a child span of it); readers continue it."},
    "tracestate": {"type": "string", "maxLength": 512, "description": "W3C tracestate passed on, when there is one."},
}

_TRACK_ID_NOTE = "Track id of the request that led to the message, carried to the events that read it."


def message_headers_schema(track_headers: Sequence[str]) -> Dict[str, Any]:
    """Schema of the fields a message carries beside its payload, ``track_headers`` named among them.

    Track ids (``track.*``), the stream fields a STREAM event logs (``stream.*``) and the app keys
    (``event.*``) of the writing event are written too, one field each: any such name is allowed.
    """
    properties = dict(HEADER_FIELDS)
    for name in ["track.operation_id", *track_headers]:
        properties.setdefault(name, {"type": "string", "description": _TRACK_ID_NOTE})
    return {
        "type": "object",
        "description": "Fields of a stream message beside `payload` (Redis stream entry fields).",
        "required": [name for name in HEADER_FIELDS if not name.startswith("trace")],  # 0.24 writes no trace
        "properties": properties,
        "patternProperties": {r"^(track|stream|event)\.": {"type": "string"}},
    }
