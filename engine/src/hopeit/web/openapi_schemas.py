"""Walking event modules and specs: data objects an event uses, unused schemas, spec differences."""

import typing
from types import ModuleType
from typing import Any, Dict, Iterator, List, Set

from hopeit.server.steps import extract_module_steps, step_info

__all__ = ["event_dataobjects", "remove_unused_schemas", "spec_differences"]

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
    problems: List[str] = []
    keys = list(dict.fromkeys([*expected, *actual]))
    for key in keys:
        left, right = expected.get(key), actual.get(key)
        if key == "info" and isinstance(left, dict) and isinstance(right, dict):
            left = {k: v for k, v in left.items() if k != "version"}
            right = {k: v for k, v in right.items() if k != "version"}
        if left == right:
            continue
        if key == "paths" and isinstance(left, dict) and isinstance(right, dict):
            problems += _nested_differences("paths", left, right, depth=2)
        elif key == "components" and isinstance(left, dict) and isinstance(right, dict):
            problems += _nested_differences("components", left, right, depth=2)
        else:
            problems.append(key)
    return problems


def _nested_differences(prefix: str, left: Dict[str, Any], right: Dict[str, Any], depth: int) -> List[str]:
    problems = []
    for key in dict.fromkeys([*left, *right]):
        a, b = left.get(key), right.get(key)
        if a == b:
            continue
        where = f"{prefix}.{key}"
        if a is None:
            problems.append(f"{where} (not in file)")
        elif b is None:
            problems.append(f"{where} (only in file)")
        elif depth > 1 and isinstance(a, dict) and isinstance(b, dict):
            problems += _nested_differences(where, a, b, depth - 1)
        else:
            problems.append(where)
    return problems
