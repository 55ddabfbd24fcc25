"""Data objects: the typed payloads that events receive, return and publish.

A data object is a dataclass marked with ``@dataobject``::

    from dataclasses import dataclass
    from hopeit.dataobjects import dataobject

    @dataobject(event_id="id", event_ts="created")
    @dataclass
    class Something:
        id: str
        created: datetime
        count: int = 0

Data objects are validated with pydantic when they are parsed (``Payload.from_json``) and when
they are written (``Payload.to_json``), and publish a JSON schema for OpenAPI.
``from hopeit.dataobjects import dataclass, field`` gives the standard library versions.
"""

import pickle
import typing
import uuid
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Callable, Dict, Optional, Type, TypeVar, Union, overload

from hopeit.dataobjects.ids import new_id

__all__ = [
    "BinaryAttachment",
    "BinaryDownload",
    "DataObject",
    "EventPayload",
    "EventPayloadType",
    "StreamEventParams",
    "copy_payload",
    "dataclass",
    "dataobject",
    "field",
    "fields",
    "is_dataobject",
]

#: Annotation for a step that accepts any ``@dataobject``.
DataObject = TypeVar("DataObject")

#: Anything an event can receive or return: ``str``, ``int``, ``float``, ``bool``, ``dict``, ``set``,
#: ``list`` or a ``@dataobject`` (typed as ``Any`` so steps can narrow it freely).
EventPayload = Any

#: Unconstrained type variable for generic payload helpers.
EventPayloadType = TypeVar("EventPayloadType")

_T = TypeVar("_T")

_IMMUTABLE_TYPES = (str, int, float, bool, bytes, Decimal, datetime, date, uuid.UUID, Enum, type(None))


class BinaryAttachment:
    """Marks a multipart field that carries a file (documented as ``string/binary``)."""


class BinaryDownload:
    """Base class for file responses; subclasses set ``content_type`` (e.g. ``image/png``)."""

    content_type: str = "application/octet-stream"


@dataclass
class StreamEventParams:
    """Where a data object keeps its event id and timestamp, as dotted attribute paths."""

    event_id_expr: Optional[str]
    event_ts_expr: Optional[str]

    @staticmethod
    def extract_attr(obj: Any, expr: str) -> Any:
        """Walk ``expr`` (``"a.b.c"``) over ``obj``; stops at the first falsy value."""
        value = obj
        for name in expr.split("."):
            if not value:
                return value
            value = getattr(value, name)
        return value


def is_dataobject(obj: Any) -> bool:
    """True for ``@dataobject`` classes and their instances."""
    return hasattr(obj, "__data_object__")


def _event_id(self: Any) -> str:
    expr = self.__stream_event__.event_id_expr
    if expr is None:
        return new_id()
    return str(StreamEventParams.extract_attr(self, expr))


def _event_ts(self: Any) -> Optional[datetime]:
    expr = self.__stream_event__.event_ts_expr
    if expr is None:
        return None
    value: Optional[datetime] = StreamEventParams.extract_attr(self, expr)
    return value


def _compat_methods(cls: type) -> Dict[str, Callable[..., Any]]:
    """Methods that 0.24-era apps call on data objects, delegating to ``Payload``."""
    from hopeit.dataobjects.payload import Payload  # payload imports this module

    def to_json(self: Any, omit_none: bool = True, validate: bool = True) -> str:
        return Payload.to_json(self)

    def to_dict(self: Any, omit_none: bool = True, validate: bool = True) -> Dict[str, Any]:
        result: Dict[str, Any] = Payload.to_obj(self)
        return result

    def from_json(klass: Type[_T], data: Union[str, bytes], validate: bool = True) -> _T:
        return Payload.from_json(data, klass)

    def from_dict(klass: Type[_T], data: Dict[str, Any], validate: bool = True) -> _T:
        return Payload.from_obj(data, klass)

    def json_schema(klass: type, *args: Any, **kwargs: Any) -> Dict[str, Any]:
        from hopeit.dataobjects.schema import json_schema as _schema

        return _schema(klass)

    return {
        "to_json": to_json,
        "to_dict": to_dict,
        "from_json": classmethod(from_json),  # type: ignore[dict-item]
        "from_dict": classmethod(from_dict),  # type: ignore[dict-item]
        "json_schema": classmethod(json_schema),  # type: ignore[dict-item,arg-type]
    }


@overload
def dataobject(decorated_class: Type[_T]) -> Type[_T]: ...


@overload
def dataobject(
    decorated_class: None = None,
    *,
    event_id: Optional[str] = None,
    event_ts: Optional[str] = None,
    unsafe: bool = False,
    validate: bool = True,
    schema: bool = True,
) -> Callable[[Type[_T]], Type[_T]]: ...


def dataobject(
    decorated_class: Optional[Type[_T]] = None,
    *,
    event_id: Optional[str] = None,
    event_ts: Optional[str] = None,
    unsafe: bool = False,
    validate: bool = True,
    schema: bool = True,
) -> Union[Type[_T], Callable[[Type[_T]], Type[_T]]]:
    """Mark a dataclass as a payload the engine can validate, serialize and publish.

    :param event_id: dotted path of the attribute used as the stream message id
        (default: a new uuid per message).
    :param event_ts: dotted path of the attribute used as the event timestamp.
    :param unsafe: skip copying between steps (the steps promise not to mutate it).
    :param validate: check field types when the object is written out.
    :param schema: publish the class in the OpenAPI components.
    """

    def wrap(cls: Type[_T]) -> Type[_T]:
        if not is_dataclass(cls):
            raise TypeError(f"@dataobject needs a dataclass: put @dataclass below @dataobject on {cls.__qualname__}")
        setattr(cls, "__data_object__", {"unsafe": unsafe, "validate": validate, "schema": schema})
        setattr(cls, "__stream_event__", StreamEventParams(event_id, event_ts))
        setattr(cls, "event_id", _event_id)
        setattr(cls, "event_ts", _event_ts)
        for name, method in _compat_methods(cls).items():
            if name not in cls.__dict__:
                setattr(cls, name, method)
        return cls  # type: ignore[return-value]  # is_dataclass narrowed it

    if decorated_class is None:
        return wrap
    return wrap(decorated_class)


#: Per data object class: how to copy each field (None: the class needs a full deep copy).
_copy_plans: Dict[type, Optional[Dict[str, Callable[[Any], Any]]]] = {}


def _share(value: Any) -> Any:
    return value


def _field_copier(annotation: Any) -> Optional[Callable[[Any], Any]]:
    """How to copy a value of ``annotation`` deeply without pickle, or None when unknown."""
    if isinstance(annotation, type) and issubclass(annotation, _IMMUTABLE_TYPES):
        return _share
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is tuple and args and all(_field_copier(arg) is _share for arg in args if arg is not Ellipsis):
        return _share
    if origin is Union:
        copiers = [_field_copier(arg) for arg in args]
        if all(c is _share for c in copiers):
            return _share
        return None
    if origin in (list, set, frozenset) and args and _field_copier(args[0]) is _share:
        return lambda value: None if value is None else type(value)(value)
    if origin is dict and len(args) == 2 and _field_copier(args[1]) is _share:
        return lambda value: None if value is None else dict(value)
    return None


def _copy_plan(cls: type) -> Optional[Dict[str, Callable[[Any], Any]]]:
    """Field copiers of a dataclass when every field can be copied without pickle (computed once)."""
    if cls in _copy_plans:
        return _copy_plans[cls]
    plan: Optional[Dict[str, Callable[[Any], Any]]] = None
    try:
        hints = typing.get_type_hints(cls)
        copiers = {f.name: _field_copier(hints.get(f.name)) for f in fields(cls)}
        if hints and all(c is not None for c in copiers.values()):
            plan = copiers  # type: ignore[assignment]
    except Exception:  # noqa: BLE001 - unresolvable annotations: pickle copies it
        plan = None
    _copy_plans[cls] = plan
    return plan


def copy_payload(original: Optional[_T]) -> Optional[_T]:
    """Copy a payload so a step cannot change what another step holds.

    Atomic values, frozen dataclasses and ``unsafe`` data objects are returned as they are.
    """
    if original is None or isinstance(original, (str, int, float, bool, tuple, Decimal)):
        return original  # type: ignore[return-value]  # isinstance narrowed it
    if isinstance(original, (dict, set, list)):
        return pickle.loads(pickle.dumps(original, protocol=4))  # type: ignore[no-any-return]
    params = getattr(original, "__dataclass_params__", None)
    if params is not None and params.frozen:
        return original
    options = getattr(original, "__data_object__", None)
    if options is not None and options["unsafe"]:
        return original
    plan = _copy_plan(type(original)) if params is not None and hasattr(original, "__dict__") else None
    if plan is not None:
        # values were validated against these types, so copying by type is a deep copy
        duplicate = object.__new__(type(original))
        source = original.__dict__
        duplicate.__dict__.update({name: copier(source[name]) for name, copier in plan.items()})
        for name, value in source.items():
            if name not in plan:
                duplicate.__dict__[name] = value
        return duplicate  # type: ignore[no-any-return]
    return pickle.loads(pickle.dumps(original, protocol=4))  # type: ignore[no-any-return]
