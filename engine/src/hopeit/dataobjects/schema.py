"""OpenAPI schemas of payload types, in the shape hopeit.engine 0.24 wrote them.

Projects keep their OpenAPI spec file under version control and the server refuses a file that
differs from the apps, so a data object is described exactly as 0.24 described it::

    {"type": "object", "required": [...], "properties": {...},
     "x-module-name": "<module>", "description": "<docstring, or the dataclass signature>"}

Nested data objects are ``$ref`` to their own component; a data object that extends other data
objects is ``{"allOf": [<$ref of each base>, <its own fields>], "description": ...}``. Enums are
inlined (``enum`` plus ``x-enum-name``/``x-module-name``), ``Optional[X]`` is described as ``X`` and
left out of ``required``, defaults other than ``None`` are written as ``default``.

Types 0.24 could not describe (it wrote ``{}``), and those it described with constructs that are
not valid OpenAPI 3.0 (fixed-length tuples), are described from pydantic's JSON schema instead; so
are data objects that give pydantic their own schema (``__get_pydantic_core_schema__``, as plugin
types whose JSON differs from their fields do).
"""

import dataclasses
import datetime
import decimal
import enum
import logging
import typing
import uuid
from typing import Any, Dict, List, Tuple, Type

from hopeit.dataobjects.adapters import adapter, type_name
from hopeit.dataobjects.openapi3 import openapi3_schema
from pydantic import PydanticUserError

__all__ = ["REF_TEMPLATE", "UUID_PATTERN", "json_schema", "openapi3_schema", "schema_with_components"]

logger = logging.getLogger(__name__)

#: Where references to nested data objects point in an OpenAPI document.
REF_TEMPLATE = "#/components/schemas/{model}"

#: Pattern 0.24 gives UUID fields (lower-case hex, as UUIDs are written).
UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

_NONE = type(None)
_SIMPLE: Dict[Any, Dict[str, str]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    decimal.Decimal: {"type": "number"},
    datetime.datetime: {"type": "string", "format": "date-time"},
    datetime.date: {"type": "string", "format": "date"},
    uuid.UUID: {"type": "string", "format": "uuid", "pattern": UUID_PATTERN},
}
_ARRAYS = (list, tuple, set, frozenset)
_OMIT = object()  # a default that is not written (None)


def _literal_origins() -> Tuple[Any, ...]:
    origins: List[Any] = [typing.Literal]
    try:  # on Python 3.8 typing_extensions (a pydantic dependency) has its own Literal
        import typing_extensions

        origins.append(typing_extensions.Literal)
    except ImportError:  # pragma: no cover - pydantic always brings it
        pass
    return tuple(origins)


_LITERALS = _literal_origins()


def _is_dataobject_class(datatype: Any) -> bool:
    return isinstance(datatype, type) and dataclasses.is_dataclass(datatype) and hasattr(datatype, "__data_object__")


def _dataobject_bases(cls: type) -> List[type]:
    """Direct bases that are data objects themselves (decorated, not just inheriting the marker)."""
    return [b for b in cls.__bases__ if dataclasses.is_dataclass(b) and "__data_object__" in b.__dict__]


def _enum_schema(datatype: Type[enum.Enum]) -> Dict[str, Any]:
    values = [member.value for member in datatype]
    schema: Dict[str, Any] = {}
    for kind, name in ((str, "string"), (bool, "boolean"), (int, "integer"), (float, "number")):
        if values and all(isinstance(v, kind) for v in values):
            schema["type"] = name
            break
    schema.update({"enum": values, "x-enum-name": datatype.__name__, "x-module-name": datatype.__module__})
    return schema


def default_value(value: Any) -> Any:
    """A field default as 0.24 wrote it in schemas: JSON values, data objects as objects."""
    if isinstance(value, enum.Enum):
        return default_value(value.value)
    if isinstance(value, datetime.datetime):
        return value.isoformat() + ("Z" if value.tzinfo is None else "")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: default_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): default_value(v) for k, v in value.items()}
    if isinstance(value, _ARRAYS):
        return [default_value(v) for v in value]
    return value


def _field_default(item: "dataclasses.Field[Any]") -> Any:
    if item.default is not dataclasses.MISSING:
        return _OMIT if item.default is None else default_value(item.default)
    if item.default_factory is not dataclasses.MISSING:
        made = item.default_factory()
        return _OMIT if made is None else default_value(made)
    return _OMIT


def _has_default(item: "dataclasses.Field[Any]") -> bool:
    return item.default is not dataclasses.MISSING or item.default_factory is not dataclasses.MISSING


def _is_optional(datatype: Any) -> bool:
    return typing.get_origin(datatype) is typing.Union and _NONE in typing.get_args(datatype)


class _Builder:
    """Builds the schema of one type and collects the components it refers to, in 0.24's order.

    The order only shows in the spec file, not in its meaning: it is kept so that files written by
    0.24 and by us read the same.
    """

    def __init__(self) -> None:
        self.components: Dict[str, Dict[str, Any]] = {}
        self._named: Dict[str, type] = {}
        self._depth = 0  # > 0 while describing the fields of a data object

    def schema(self, datatype: Any) -> Dict[str, Any]:
        """Schema of a field (or payload) type."""
        if datatype is Any:
            return {}
        origin, args = typing.get_origin(datatype), typing.get_args(datatype)
        if origin is typing.Union:
            rest = [a for a in args if a is not _NONE]
            return self.schema(rest[0]) if len(rest) == 1 else {"anyOf": [self.schema(a) for a in rest]}
        if origin in _LITERALS:
            return {"enum": list(args)}
        simple = _SIMPLE.get(datatype)
        if simple is not None:
            return dict(simple)
        if isinstance(datatype, type) and issubclass(datatype, enum.Enum):
            return _enum_schema(datatype)
        if _is_dataobject_class(datatype):
            if hasattr(datatype, "__get_pydantic_core_schema__"):  # it tells pydantic its own shape: trust that
                return self._from_pydantic(datatype)
            return self.reference(datatype)
        return self._container(datatype, origin, args)

    def _container(self, datatype: Any, origin: Any, args: Tuple[Any, ...]) -> Dict[str, Any]:
        if datatype is dict or (origin is dict and (not args or args[1] is Any)):
            return {"type": "object"}
        if origin is dict:
            return {"type": "object", "additionalProperties": self.schema(args[1])}
        if datatype in _ARRAYS or (origin in _ARRAYS and not args):
            return {"type": "array"}
        if origin in (list, set, frozenset) or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
            schema: Dict[str, Any] = {"type": "array", "items": self.schema(args[0])}
            if origin in (set, frozenset):
                schema["uniqueItems"] = True
            return schema
        return self._from_pydantic(datatype)

    def _from_pydantic(self, datatype: Any) -> Dict[str, Any]:
        """Schema of a type 0.24 did not describe well, from pydantic's JSON schema (``{}`` if none)."""
        try:
            found = adapter(datatype).json_schema(ref_template=REF_TEMPLATE, mode="serialization")
        except PydanticUserError:  # pydantic cannot describe it either: any value, as 0.24 wrote
            logger.warning("No schema for %s: documented as any value", type_name(datatype))
            return {}
        for name, component in found.pop("$defs", {}).items():
            self.components.setdefault(name, openapi3_schema(component))
        converted: Dict[str, Any] = openapi3_schema(found)
        converted.pop("title", None)
        return converted

    def reference(self, cls: type) -> Dict[str, Any]:
        """``$ref`` to a data object's component, adding the component (and what it refers to).

        0.24's order: a data object found in a field comes before the data objects of its own
        fields; any other (a payload, a base class) comes after them and after its bases.
        """
        name = cls.__name__
        known = self._named.get(name)
        if known is None:
            self._named[name] = cls
            if self._depth:
                self.components[name] = {}  # keeps its place; filled in below
            self._depth += 1
            try:
                component = self._component(cls)
            finally:
                self._depth -= 1
            saved, self._depth = self._depth, 0
            for base in _dataobject_bases(cls):
                self.reference(base)
            self._depth = saved
            self.components[name] = component
        elif known is not cls:
            logger.warning("Two data objects named %s (%s, %s): documenting the first one",
                           name, known.__module__, cls.__module__)
        return {"$ref": REF_TEMPLATE.format(model=name)}

    def _component(self, cls: type) -> Dict[str, Any]:
        bases = _dataobject_bases(cls)
        inherited = {f.name for base in bases for f in dataclasses.fields(base)}
        own = [f for f in dataclasses.fields(cls) if f.name not in inherited]
        hints = typing.get_type_hints(cls)
        required: List[str] = []
        properties: Dict[str, Any] = {}
        for item in own:
            datatype = hints.get(item.name, item.type)
            schema = self.schema(datatype)
            default = _field_default(item)
            if default is not _OMIT:
                schema["default"] = default
            properties[item.name] = schema
            if not _has_default(item) and not _is_optional(datatype):
                required.append(item.name)
        fields_schema: Dict[str, Any] = {"type": "object"}
        if required:
            fields_schema["required"] = required
        fields_schema["properties"] = properties
        fields_schema["x-module-name"] = cls.__module__
        component: Dict[str, Any] = fields_schema
        if bases:
            component = {"allOf": [*({"$ref": REF_TEMPLATE.format(model=b.__name__)} for b in bases), fields_schema]}
        if cls.__doc__ is not None:
            component["description"] = cls.__doc__
        return component


def schema_with_components(datatype: Any) -> Tuple[Dict[str, Any], Dict[str, Dict[str, Any]]]:
    """Schema of ``datatype`` and the component schemas it refers to (name -> schema).

    A data object comes back as a ``$ref`` with itself among the components, so every data object
    appears once in ``components.schemas`` however deep it is nested.
    """
    builder = _Builder()
    schema = builder.schema(datatype)
    return schema, builder.components


def json_schema(datatype: Any) -> Dict[str, Any]:
    """Self-contained JSON schema of ``datatype`` (nested types under ``$defs``)."""
    return adapter(datatype).json_schema(mode="serialization")
