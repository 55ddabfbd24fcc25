"""Parsing of ``@dataobject(validate=False)`` classes: what converts is converted, the rest is kept.

hopeit.engine 0.24 did not validate such classes when parsing them: a null or a missing field is
``None``, nested dicts become nested objects (validated classes among them are built unvalidated),
and the outer class alone decides. Payloads are first validated as usual (the fast path, and the
same result whenever the input is valid); only when that fails are they built here, field by field.
"""

import dataclasses
import typing
from typing import Any, Dict, Optional, Tuple, Union

from hopeit.dataobjects.adapters import adapter
from pydantic import ValidationError

__all__ = ["is_lenient", "lenient_payload", "lenient_value"]

_MISSING = object()
_lenient_types: Dict[Any, bool] = {}
_hints: Dict[type, Dict[str, Any]] = {}


def _is_loose_dataobject(datatype: Any) -> bool:
    options = getattr(datatype, "__data_object__", None)
    return isinstance(datatype, type) and options is not None and not options["validate"]


def is_lenient(datatype: Any) -> bool:
    """True for ``validate=False`` data objects and typed collections (``List[...]``...) of them."""
    found = _lenient_types.get(datatype)
    if found is None:
        found = _is_loose_dataobject(datatype) or any(
            is_lenient(arg) for arg in typing.get_args(datatype) if arg is not Ellipsis
        )
        _lenient_types[datatype] = found
    return found


def _field_types(cls: type) -> Dict[str, Any]:
    found = _hints.get(cls)
    if found is None:
        try:
            found = typing.get_type_hints(cls)
        except Exception:  # noqa: BLE001 - unresolvable annotations: values are kept as given
            found = {}
        _hints[cls] = found
    return found


def _strict(value: Any, datatype: Any) -> Any:
    """``value`` validated as ``datatype``, or ``_MISSING`` when it is not one."""
    try:
        return adapter(datatype).validate_python(value)
    except (ValidationError, TypeError, ValueError):
        return _MISSING


def _build(cls: type, data: Dict[str, Any]) -> Any:
    """An instance of the dataclass ``cls`` from ``data``, converting each field on its own."""
    types = _field_types(cls)
    values: Dict[str, Any] = {}
    for item in dataclasses.fields(cls):
        if not item.init:
            continue
        if item.name in data:
            values[item.name] = lenient_value(data[item.name], types.get(item.name, Any))
        elif item.default is not dataclasses.MISSING:
            values[item.name] = item.default
        elif item.default_factory is not dataclasses.MISSING:
            values[item.name] = item.default_factory()
        else:
            values[item.name] = None
    return cls(**values)


def _items(value: Any, origin: Any, args: Tuple[Any, ...]) -> Any:
    """A list/set/tuple/dict value with its items converted leniently (kept when the shape differs)."""
    if origin is dict and isinstance(value, dict):
        value_type = args[1] if len(args) == 2 else Any
        return {key: lenient_value(item, value_type) for key, item in value.items()}
    if origin in (list, set, frozenset, tuple) and isinstance(value, list):
        if origin is tuple and args and args[-1] is not Ellipsis:
            converted = [lenient_value(item, arg) for item, arg in zip(value, args)] + value[len(args) :]
        else:
            converted = [lenient_value(item, args[0] if args else Any) for item in value]
        try:
            return converted if origin is list else origin(converted)
        except TypeError:  # unhashable items for a set: keep the list
            return converted
    return _MISSING


def lenient_value(value: Any, datatype: Any) -> Any:
    """``value`` as ``datatype`` when it converts; nested parts converted one by one; else as given."""
    if value is None:
        return None
    strict = _strict(value, datatype)
    if strict is not _MISSING:
        return strict
    if dataclasses.is_dataclass(datatype) and isinstance(datatype, type):
        return _build(datatype, value) if isinstance(value, dict) else value
    origin, args = typing.get_origin(datatype), typing.get_args(datatype)
    if origin is Union:
        for arg in args:
            if isinstance(arg, type) and dataclasses.is_dataclass(arg) and isinstance(value, dict):
                return _build(arg, value)
            converted = _items(value, typing.get_origin(arg), typing.get_args(arg))
            if converted is not _MISSING:
                return converted
        return value
    converted = _items(value, origin, args)
    return value if converted is _MISSING else converted


def lenient_payload(value: Any, datatype: Any) -> Optional[Any]:
    """``lenient_value`` of a whole payload, or None when its shape cannot be ``datatype`` at all."""
    if isinstance(datatype, type):
        return _build(datatype, value) if isinstance(value, dict) else None
    converted = _items(value, typing.get_origin(datatype), typing.get_args(datatype))
    return None if converted is _MISSING else converted
