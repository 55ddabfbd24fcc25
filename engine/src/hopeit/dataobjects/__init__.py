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
they are written (``Payload.to_json``), unless marked ``validate=False``, and publish a JSON schema
for OpenAPI. Their JSON is hopeit.engine 0.24's: ``isoformat()`` datetimes, Decimals as numbers.
``from hopeit.dataobjects import dataclass, field`` gives the standard library versions.
"""

from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable, Dict, Optional, Type, TypeVar, Union, overload

from hopeit.dataobjects._copy import deep_copy
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
    :param validate: check field types when the object is parsed and written; with False, parsing
        keeps values that do not convert and writing writes what the fields hold (as 0.24 did).
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


def copy_payload(original: Optional[_T]) -> Optional[_T]:
    """Copy a payload so a step cannot change what another step holds.

    Atomic values, tuples, frozen dataclasses and ``unsafe`` data objects are returned as they are;
    anything else is deep copied by what it holds (see ``_copy``), whatever its fields' annotations.
    """
    if original is None or isinstance(original, (str, int, float, bool, tuple, Decimal)):
        return original  # type: ignore[return-value]  # isinstance narrowed it
    params = getattr(original, "__dataclass_params__", None)
    if params is not None and params.frozen:
        return original
    options = getattr(original, "__data_object__", None)
    if options is not None and options["unsafe"]:
        return original
    return deep_copy(original)
