"""Walking event modules and specs: data objects an event uses, unused schemas, spec differences."""

import copy
import typing
from types import ModuleType
from typing import Any, Dict, Iterator, List, Optional, Set

from hopeit.server.doc_differences import document_differences, value_differences
from hopeit.server.steps import extract_module_steps, step_info

__all__ = [
    "event_dataobjects",
    "remove_unused_schemas",
    "spec_differences",
    "value_differences",
    "without_known_024_differences",
]

_REF_PREFIX = "#/components/schemas/"


def _unpack(datatype: Any) -> Iterator[Any]:
    """The type itself and every type argument inside it (``Union``, ``List``, ``Spawn``...)."""
    if datatype is None or isinstance(datatype, (str, int)):
        return
    yield datatype
    for arg in typing.get_args(datatype):
        yield from _unpack(arg)


def _documented(datatype: Any) -> bool:
    options = getattr(datatype, "__data_object__", None)
    return isinstance(datatype, type) and options is not None and bool(options.get("schema", True))


def event_dataobjects(module: ModuleType) -> List[type]:
    """Data objects in the input and return annotations of a module's steps and hooks."""
    annotations: List[Any] = []
    try:
        steps = extract_module_steps(module)
    except (ImportError, TypeError, ValueError):
        steps = []
    for _, info in steps:
        if info is not None:
            annotations += [info.input_type, info.return_type]
    for hook in ("__preprocess__", "__postprocess__", "__service__"):
        func = getattr(module, hook, None)
        if callable(func):
            try:
                info = step_info(func)
            except TypeError:
                continue
            annotations += [info.input_type, info.return_type]
    found: Dict[str, type] = {}
    for annotation in annotations:
        for datatype in _unpack(annotation):
            if _documented(datatype):
                found.setdefault(f"{datatype.__module__}.{datatype.__qualname__}", datatype)
    return list(found.values())


def _refs(obj: Any, into: Set[str]) -> Set[str]:
    if isinstance(obj, dict):
        ref = obj.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
            into.add(ref[len(_REF_PREFIX):])
        for value in obj.values():
            _refs(value, into)
    elif isinstance(obj, list):
        for value in obj:
            _refs(value, into)
    return into


def remove_unused_schemas(spec: Dict[str, Any]) -> None:
    """Drop component schemas that no operation refers to, directly or through other schemas."""
    schemas: Dict[str, Any] = spec.get("components", {}).get("schemas", {})
    used = _refs(spec.get("paths", {}), set())
    pending = list(used)
    while pending:
        name = pending.pop()
        for ref in _refs(schemas.get(name, {}), set()):
            if ref not in used:
                used.add(ref)
                pending.append(ref)
    for name in [n for n in schemas if n not in used]:
        del schemas[name]


def spec_differences(expected: Dict[str, Any], actual: Dict[str, Any]) -> List[str]:
    """Where two specs differ: ``paths./api/x/1x0/event.get``, ``components.schemas.Thing``, ``info``...

    ``info`` is compared too, except its ``version``, which belongs to the file.
    """
    return document_differences(expected, actual, {"paths": 2, "components": 2})


_OCTET_STREAM_024 = "application/octect-stream"  # sic: 0.24 wrote this for file fields


def _atomic_body_024(schema: Any) -> bool:
    """``{"<event>": value}`` request body schema of 0.24 (its server read ``{"value": value}``)."""
    if not isinstance(schema, dict) or set(schema) != {"type", "required", "properties", "description"}:
        return False
    required, properties = schema["required"], schema["properties"]
    return (
        isinstance(required, list) and len(required) == 1 and required[0] != "value"
        and isinstance(properties, dict) and list(properties) == required
        and str(schema["description"]).startswith(f"{required[0]} ") and str(schema["description"]).endswith(" payload")
    )


def _fix_request_body(body: Dict[str, Any]) -> None:
    for media in body.get("content", {}).values():
        if not isinstance(media, dict):
            continue
        schema = media.get("schema")
        if schema is not None and _atomic_body_024(schema):
            (name,) = schema["required"]
            schema["required"] = ["value"]
            schema["properties"] = {"value": schema["properties"][name]}
        for encoding in media.get("encoding", {}).values():
            if isinstance(encoding, dict) and encoding.get("contentType") == _OCTET_STREAM_024:
                encoding["contentType"] = "application/octet-stream"


def without_known_024_differences(spec: Dict[str, Any], computed: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """A copy of ``spec`` with what hopeit.engine 0.24 wrote wrong written as we write it.

    So that a spec file made by 0.24 matches the same apps on this engine:

    * the content type of file fields in multipart forms: 0.24 wrote ``application/octect-stream``;
    * request bodies of ``str``/``int``/``float``/``bool`` payloads: 0.24 documented
      ``{"<event name>": value}``, while its server (and ours) read ``{"value": value}``;
    * schemas of ``dict``, ``List[str]``, ``Optional[...]``... in responses: 0.24 wrote a ``$ref`` to
      a component it never added (``#/components/schemas/dict``); where ``computed`` (the spec of
      the apps) has a schema at the same place, it stands in for the dangling reference.
    """
    fixed = copy.deepcopy(spec)
    for path_item in fixed.get("paths", {}).values():
        for operation in path_item.values() if isinstance(path_item, dict) else ():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if isinstance(body, dict):
                _fix_request_body(body)
    if computed is not None:
        known = set(fixed.get("components", {}).get("schemas", {}))
        fixed["paths"] = _adopt_dangling_refs(fixed.get("paths", {}), computed.get("paths", {}), known)
    return fixed


def _adopt_dangling_refs(node: Any, computed: Any, known: Set[str]) -> Any:
    """``node`` with every ``$ref`` to a schema not in ``known`` replaced by ``computed``'s value there."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if len(node) == 1 and isinstance(ref, str) and ref.startswith(_REF_PREFIX) \
                and ref[len(_REF_PREFIX):] not in known and computed is not None and computed != node:
            return copy.deepcopy(computed)
        return {key: _adopt_dangling_refs(value, computed.get(key) if isinstance(computed, dict) else None, known)
                for key, value in node.items()}
    if isinstance(node, list):
        others = computed if isinstance(computed, list) and len(computed) == len(node) else [None] * len(node)
        return [_adopt_dangling_refs(value, other, known) for value, other in zip(node, others)]
    return node
