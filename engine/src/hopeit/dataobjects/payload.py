"""Conversions between payloads and JSON text or plain Python objects.

Atomic values (``str``, ``int``, ``float``, ``bool``) travel wrapped in an object under a key,
``{"value": 42}`` by default. Data objects travel as their JSON with ``None`` fields left out.
Output uses the ``", "`` / ``": "`` separators of hopeit.engine 0.24, so existing tests that compare
JSON text keep passing.
"""

import dataclasses
import json
import re
import typing
import warnings
from typing import Any, Dict, Optional, Tuple, Type, TypeVar, Union

from hopeit.dataobjects._lenient import is_lenient, lenient_payload
from hopeit.dataobjects.adapters import (
    DataObjectValidationError,
    adapter,
    json_reader,
    json_writer,
    type_name,
    validation_error,
)
from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

__all__ = ["DataObjectValidationError", "Payload"]

_T = TypeVar("_T")
_ATOMIC = (str, int, float, bool)
_COLLECTIONS = (dict, list, set)
# pydantic >= 2.11 words it "... [field_name='x', input_value=..., input_type=str]", 2.10 "but got `str`"
_SERIALIZATION_PROBLEM = re.compile(
    r"Expected `(?P<expected>[^`]+)`(?: but got `(?P<got_before>[^`]+)`|.*?input_type=(?P<got>\w+))"
)


# Data objects are written with pydantic's type checks on (``validate=True``, the default): a field
# holding a value of another type must fail, not be written as it is. pydantic-core raises on such
# a value when called with ``warnings="error"``, but any string there costs about 1 us per call (its
# argument parsing tries a bool first and builds an exception). So ``to_json_bytes`` passes
# ``warnings=True``, and a warnings filter turns the warnings pydantic then emits for calls made from
# this module into exceptions. The filter is kept first in ``warnings.filters``: filters added later
# (``simplefilter("ignore")``, ``catch_warnings``) would otherwise silence the check.
_SERIALIZER_WARNINGS = "Pydantic serializer warnings"


def _errors_filter() -> Any:
    warnings.filterwarnings(
        "error", message=_SERIALIZER_WARNINGS, category=UserWarning, module=r"hopeit\.dataobjects\.payload\Z"
    )
    return warnings.filters[0]


_errors = _errors_filter()


def _restore_errors_filter() -> None:
    """Put the filter back in front: something was put before it, or the filters were reset."""
    global _errors
    _errors = _errors_filter()


def _is_structured(obj: Any) -> bool:
    return hasattr(obj, "__dataclass_fields__")


def _dump(payload: Any) -> Any:
    options = getattr(payload, "__data_object__", None)
    strict = options is None or options["validate"]
    try:
        return adapter(type(payload)).dump_python(
            payload, mode="json", exclude_none=True, warnings="error" if strict else "none"
        )
    except PydanticSerializationError as exc:
        raise _output_error(payload, exc) from None


def _output_error(payload: Any, exc: Exception) -> DataObjectValidationError:
    """Name the field whose value does not match its type (pydantic's warning does not always say)."""
    try:
        adapter(type(payload)).validate_python(dataclasses.asdict(payload))
    except ValidationError as invalid:
        return validation_error(type(payload), invalid, "Cannot convert to JSON")
    except Exception:  # noqa: BLE001 - fall back to what the serializer said
        pass
    problem = _misfit(payload, "") or ("", "a field holds a value that does not match its type")
    return DataObjectValidationError(type(payload).__qualname__, [problem], "Cannot convert to JSON")


def _misfit(value: Any, path: str) -> Optional[Tuple[str, str]]:
    """Path and problem of the first field, in ``value`` or nested in it, whose type cannot write its value.

    Only called to word an error: each field is written again on its own.
    """
    if isinstance(value, (list, tuple)):
        return next((inner for i, item in enumerate(value) if (inner := _misfit(item, f"{path}[{i}]"))), None)
    if isinstance(value, dict):
        return next((inner for key, item in value.items() if (inner := _misfit(item, f"{path}.{key}"))), None)
    if not _is_structured(value):
        return None
    try:
        types = typing.get_type_hints(type(value))
    except Exception:  # noqa: BLE001 - unresolvable annotations: no field to name
        return None
    for item in dataclasses.fields(value):
        held = getattr(value, item.name, None)
        where = f"{path}.{item.name}" if path else item.name
        try:
            adapter(types.get(item.name, Any)).dump_python(held, mode="json", warnings="error")
        except PydanticSerializationError as exc:
            found = _SERIALIZATION_PROBLEM.search(str(exc))
            got = (found.group("got") or found.group("got_before")) if found else type(held).__name__
            expected = found.group("expected") if found else "another type"
            return _misfit(held, where) or (where, f"expected {expected}, got {got}")
    return None


class Payload:
    """Static helpers to parse and write event payloads."""

    @staticmethod
    def from_json(json_str: Union[str, bytes], datatype: Type[_T], key: str = "value") -> _T:
        """Parse ``json_str`` into ``datatype``, validating it.

        ``@dataobject(validate=False)`` classes (and typed collections of them) are not validated:
        when validation fails, what converts is converted and the rest kept as given, missing
        fields taking their default or None, as hopeit.engine 0.24 did.

        :raises ValueError: when the text is not JSON or does not match the type; the message names
            each offending field.
        """
        if datatype in _ATOMIC:
            return Payload.from_obj(_loads(json_str, datatype), datatype, key)
        if datatype in _COLLECTIONS:
            return datatype(_loads(json_str, datatype))  # type: ignore[call-arg]
        try:
            return json_reader(datatype)(json_str)  # type: ignore[no-any-return]
        except ValidationError as exc:
            if is_lenient(datatype):
                try:
                    data = json.loads(json_str)
                except ValueError:
                    data = _NOT_JSON
                parsed: _T = _unvalidated(data, datatype, exc)
                return parsed
            raise validation_error(datatype, exc) from None

    @staticmethod
    def from_obj(data: Any, datatype: Type[_T], key: str = "value", item_datatype: Optional[Type[Any]] = None) -> _T:
        """Build ``datatype`` from plain Python data (dicts, lists, atomic values), as ``from_json`` does."""
        if datatype in _ATOMIC:
            value = data.get(key) if isinstance(data, dict) else data
            if value is None:
                raise DataObjectValidationError(type_name(datatype), [(key, "Field required")])
            return datatype(value)  # type: ignore[call-arg]
        if datatype in _COLLECTIONS:
            if item_datatype is None:
                return datatype(data)  # type: ignore[call-arg]
            if datatype is dict:
                return {k: Payload.from_obj(v, item_datatype, key) for k, v in data.items()}  # type: ignore[return-value]
            return datatype(Payload.from_obj(v, item_datatype, key) for v in data)  # type: ignore[call-arg]
        try:
            return adapter(datatype).validate_python(data)  # type: ignore[no-any-return]
        except ValidationError as exc:
            if is_lenient(datatype):
                built: _T = _unvalidated(data, datatype, exc)
                return built
            raise validation_error(datatype, exc) from None

    @staticmethod
    def to_json(payload: Any, key: Optional[str] = "value") -> str:
        """Write ``payload`` as JSON; atomic values are wrapped under ``key`` (bare when ``key`` is None).

        :raises ValueError: when a data object holds a value that does not match its field type.
        """
        if isinstance(payload, _ATOMIC):
            return json.dumps(payload if key is None else {key: payload})
        if _is_structured(payload):
            return json.dumps(_dump(payload))
        try:
            return json.dumps(Payload.to_obj(payload, key=None))
        except TypeError as exc:
            raise ValueError(f"Cannot convert to JSON: {exc}") from None

    @staticmethod
    def to_json_bytes(payload: Any, key: Optional[str] = "value", *, indent: Optional[int] = None) -> bytes:
        """Compact UTF-8 JSON of ``payload``, written by pydantic for data objects (the fast path).

        Same content as ``to_json`` without the 0.24 separators; used for stream messages and stored
        values, where the text is parsed, not compared. ``indent`` asks pydantic for its pretty form
        for data objects (``hopeit.web.json_text`` turns ``indent=0`` into 0.24's text).

        :raises ValueError: when a data object holds a value that does not match its field type.
        """
        options = getattr(payload, "__data_object__", None)
        if options is not None and hasattr(payload, "__dataclass_fields__"):
            filters = warnings.filters
            if not filters or filters[0] is not _errors:
                _restore_errors_filter()
            try:
                # warnings=True, not "error": the module's warnings filter makes them errors, for less time
                return json_writer(type(payload))(
                    payload, exclude_none=True, warnings=options["validate"], indent=indent
                )
            except (PydanticSerializationError, UserWarning):
                _dump(payload)  # raises the error naming the field
                raise
        if isinstance(payload, _ATOMIC):
            return json.dumps(payload if key is None else {key: payload}, separators=(",", ":")).encode()
        try:
            return json.dumps(Payload.to_obj(payload, key=None), separators=(",", ":")).encode()
        except TypeError as exc:
            raise ValueError(f"Cannot convert to JSON: {exc}") from None

    @staticmethod
    def to_obj(payload: Any, key: Optional[str] = "value") -> Any:
        """Convert ``payload`` to plain Python data ready for ``json.dumps``."""
        if isinstance(payload, _ATOMIC):
            return payload if key is None else {key: payload}
        if _is_structured(payload):
            return _dump(payload)
        if isinstance(payload, dict):
            return {k: Payload.to_obj(v, key=None) for k, v in payload.items()}
        if isinstance(payload, set):
            return sorted(Payload.to_obj(v, key=None) for v in payload)
        if isinstance(payload, (list, tuple)):
            return [Payload.to_obj(v, key=None) for v in payload]
        if payload is None:
            return None
        raise ValueError(f"Cannot convert to JSON: {type(payload).__qualname__} is not a @dataobject")

    @staticmethod
    def parse_form_field(field_data: Union[str, Dict[str, Any]], datatype: Type[_T], key: str = "value") -> _T:
        """Parse a multipart form field that holds JSON text, or an already parsed dict."""
        if isinstance(field_data, str):
            return Payload.from_json(field_data, datatype, key)
        return Payload.from_obj(field_data, datatype, key)


_NOT_JSON = object()


def _unvalidated(data: Any, datatype: Any, exc: ValidationError) -> Any:
    """``data`` built as a ``validate=False`` type without validating it (as 0.24 did).

    :raises DataObjectValidationError: ``data`` has not even the shape of ``datatype`` (a list or a
        number for a data object), or the class refused the values (``__post_init__``).
    """
    try:
        built = None if data is _NOT_JSON else lenient_payload(data, datatype)
    except (TypeError, ValueError):  # the class itself refused the values
        built = None
    if built is None:
        raise validation_error(datatype, exc) from None
    return built


def _loads(json_str: Union[str, bytes], datatype: Any) -> Any:
    try:
        return json.loads(json_str)
    except json.JSONDecodeError as exc:
        raise DataObjectValidationError(type_name(datatype), [("", f"Invalid JSON: {exc}")]) from None
