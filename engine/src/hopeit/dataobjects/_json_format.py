"""The JSON text of data objects as hopeit.engine 0.24 wrote it, on top of pydantic's schemas.

pydantic writes ``1970-01-01T00:00:00Z`` for a UTC datetime, leaves naive ones without a zone, writes
Decimals as strings and floats holding an int as ``1.0``; 0.24 wrote ``isoformat()`` text
(``+00:00``), naive datetimes with ``Z`` appended, Decimals as JSON numbers and ints as ints. And
pydantic reads zones as its own ``TzInfo``, where apps compare with ``timezone.utc``.

The core schema of a type is rewritten once, when its adapter is built: for writing, ``datetime``
and ``decimal`` nodes get a small serializer for JSON output and ``float`` nodes take ints as they
are; for reading, ``datetime`` nodes get validators that give standard library zones. The compiled
validator and serializer then do the whole job in one call, as before; only those nodes call Python.
"""

import math
import sys
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Callable, Dict, Union

from pydantic_core import (
    PydanticSerializationUnexpectedValue,
    SchemaValidator,
    TzInfo,
    ValidationError,
    core_schema,
)

__all__ = ["reading_schema", "writing_schema"]

_UTC = timezone.utc


def _unexpected(expected: str, value: Any) -> PydanticSerializationUnexpectedValue:
    # the same words pydantic uses, so a data object that must validate names the field and the types
    return PydanticSerializationUnexpectedValue(
        f"Expected `{expected}` - serialized value may not be as expected "
        f"[input_value={value!r}, input_type={type(value).__name__}]"
    )


def datetime_text(value: Any) -> str:
    """``isoformat()`` of an aware datetime; naive ones get ``Z`` appended (they are taken as UTC)."""
    if isinstance(value, datetime):
        text = value.isoformat()
        return text if value.tzinfo is not None else text + "Z"
    # a datetime field holding something else: pydantic then warns (an error for validated data
    # objects) and writes the value by its own type
    raise _unexpected("datetime", value)


def decimal_number(value: Any) -> Union[float, str]:
    """A Decimal as the JSON number 0.24 wrote (through float: digits past its precision are lost).

    One that no float holds (``NaN``, infinities, ``1E+999``) is written as its text, which reads
    back as the same Decimal: as a number it would be written ``null`` and lost.
    """
    if isinstance(value, Decimal):
        number = float(value)
        return number if math.isfinite(number) else str(value)
    raise _unexpected("decimal", value)


if sys.version_info >= (3, 11):
    _from_isoformat = datetime.fromisoformat
else:

    def _from_isoformat(text: str) -> datetime:
        # before 3.11 fromisoformat does not take a trailing Z
        if text[-1:] in ("Z", "z"):
            text = text[:-1] + "+00:00"
        return datetime.fromisoformat(text)


_any_datetime = SchemaValidator(core_schema.datetime_schema())


def _standard_zone(value: datetime) -> datetime:
    """``value`` with ``timezone.utc`` or ``timezone(offset)`` in place of pydantic's ``TzInfo``."""
    zone = value.tzinfo
    if zone is None or zone.__class__ is not TzInfo:
        return value
    offset = value.utcoffset()
    return value.replace(tzinfo=_UTC if not offset else timezone(offset))


def parse_datetime(value: Any) -> Any:
    """Text or a number read as a datetime whose zone is ``timezone.utc`` or a ``timezone(offset)``.

    ISO 8601 text goes through ``fromisoformat`` (it gives standard library zones, and costs less than
    replacing pydantic's); other spellings and unix times through pydantic, with the zone replaced.
    Datetime objects are left as they are; values that are no datetime at all are left for pydantic
    to report.
    """
    cls = value.__class__
    if cls is str:
        try:
            return _from_isoformat(value)
        except ValueError:
            pass
    elif cls is datetime or not isinstance(value, (int, float, bytes)):
        return value
    try:
        return _standard_zone(_any_datetime.validate_python(value))
    except ValidationError:
        return value


def _read_datetime(node: Dict[str, Any]) -> Dict[str, Any]:
    ref = node.pop("ref", None)
    # the node itself still checks the datetime it is given (its constraints, strictness)
    wrapped = core_schema.no_info_before_validator_function(parse_datetime, node)
    if ref is not None:
        wrapped["ref"] = ref
    return wrapped  # type: ignore[return-value]  # a before-validator schema is a core schema dict


def _read_decimal(node: Dict[str, Any]) -> Dict[str, Any]:
    # NaN and infinities are Decimals an object may hold, written as their text: they read back
    node.setdefault("allow_inf_nan", True)
    return node


def _write_with(function: Callable[[Any], Any]) -> Callable[[Dict[str, Any]], Dict[str, Any]]:
    def rewrite(node: Dict[str, Any]) -> Dict[str, Any]:
        if "serialization" not in node:  # a serializer the app declared wins
            node["serialization"] = core_schema.plain_serializer_function_ser_schema(function, when_used="json")
        return node

    return rewrite


def _write_float(node: Dict[str, Any]) -> Dict[str, Any]:
    if "serialization" in node:
        return node
    # a union tried in order writes floats as floats and ints as ints, natively: a Python function
    # per value would cost more, on lists of floats most of all; other values still fail the check
    return core_schema.union_schema([node, core_schema.int_schema()])  # type: ignore[return-value]


_Rewrites = Dict[str, Callable[[Dict[str, Any]], Dict[str, Any]]]
_READING: _Rewrites = {"datetime": _read_datetime, "decimal": _read_decimal}
_WRITING: _Rewrites = {
    "datetime": _write_with(datetime_text),
    "decimal": _write_with(decimal_number),
    "float": _write_float,
}

# keys whose values are not schemas to rewrite (or are pydantic's own bookkeeping)
_OPAQUE_KEYS = frozenset({"metadata", "cls", "function", "ref", "schema_ref", "config", "serialization"})
#: the types of the values that may hold schemas (pydantic's core schemas are plain dicts and lists)
_CONTAINERS = (dict, list)


def _rewrite(schema: Any, rewrites: _Rewrites) -> Any:
    # only dicts and lists hold schemas: other values are kept without a call (a config model's
    # schema has thousands of them, walked when its adapter is built at start-up)
    if isinstance(schema, dict):
        node = {
            key: _rewrite(value, rewrites) if isinstance(value, _CONTAINERS) and key not in _OPAQUE_KEYS else value
            for key, value in schema.items()
        }
        rewrite = rewrites.get(node.get("type"))  # type: ignore[arg-type]
        return rewrite(node) if rewrite is not None else node
    if isinstance(schema, list):
        return [_rewrite(item, rewrites) if isinstance(item, _CONTAINERS) else item for item in schema]
    return schema


def reading_schema(schema: Any) -> Any:
    """A copy of a pydantic core schema whose datetimes read with standard library zones."""
    return _rewrite(schema, _READING)


def writing_schema(schema: Any) -> Any:
    """A copy of a pydantic core schema that writes datetimes, decimals and floats as 0.24 did."""
    return _rewrite(schema, _WRITING)
