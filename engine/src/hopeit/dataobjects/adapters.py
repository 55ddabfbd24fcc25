"""pydantic adapters per payload type, and validation errors a person can read.

The adapters read and write the JSON of hopeit.engine 0.24 (``isoformat()`` datetimes read back with
standard library zones, Decimals as numbers): their validator and serializer are compiled from a
rewritten core schemas (see ``_json_format``). Their ``core_schema`` is pydantic's own, so JSON
schemas (OpenAPI) are unchanged.
"""

import functools
import typing
from typing import Any, Callable, Dict, List, Set, Tuple

from hopeit.dataobjects._json_format import reading_schema, writing_schema
from pydantic import TypeAdapter, ValidationError
from pydantic_core import SchemaSerializer, SchemaValidator

__all__ = ["DataObjectValidationError", "adapter", "json_reader", "json_writer", "validation_error"]

_adapters: Dict[Any, "TypeAdapter[Any]"] = {}
_readers: Dict[Any, Callable[..., Any]] = {}
_writers: Dict[Any, Callable[..., bytes]] = {}
#: ids of the adapters whose validator and serializer read and write 0.24 JSON
_compatible: Set[int] = set()


class DataObjectValidationError(ValueError):
    """A payload did not match its type; ``errors`` lists ``(field path, problem)`` pairs."""

    def __init__(self, type_name: str, errors: List[Tuple[str, str]], action: str = "Invalid") -> None:
        self.type_name = type_name
        self.errors = errors
        detail = "; ".join(f"{path}: {problem}" if path else problem for path, problem in errors)
        super().__init__(f"{action} {type_name}: {detail}")


def adapter(datatype: Any) -> "TypeAdapter[Any]":
    """The cached pydantic ``TypeAdapter`` of ``datatype`` (built on first use, so forward refs resolve)."""
    found = _adapters.get(datatype)
    if found is None:
        found = TypeAdapter(datatype)
        _adapters[datatype] = found
    if id(found) not in _compatible and getattr(found, "pydantic_complete", False):
        _make_compatible(found)
    return found


def _make_compatible(built: "TypeAdapter[Any]") -> None:
    """Compile the adapter's validator and serializer from its schema rewritten for 0.24 JSON."""
    # the dataclass config travels inside the schema; a TypeAdapter of a plain type has none
    built.validator = SchemaValidator(reading_schema(built.core_schema))
    built.serializer = SchemaSerializer(writing_schema(built.core_schema))
    _compatible.add(id(built))


def json_reader(datatype: Any) -> Callable[..., Any]:
    """``validate_json`` of the compiled validator of ``datatype``.

    Hot paths (stream messages, request bodies) call it directly, without the ``TypeAdapter``
    wrapper. Until the type is complete (forward refs resolved), the adapter's own method is used.
    """
    found = _readers.get(datatype)
    if found is None:
        built = adapter(datatype)
        if not getattr(built, "pydantic_complete", False):
            return built.validate_json
        found = _readers[datatype] = built.validator.validate_json
    return found


def json_writer(datatype: Any) -> Callable[..., bytes]:
    """``to_json`` of the compiled serializer of ``datatype`` (see ``json_reader``).

    Until the type is complete, the adapter's ``dump_json`` is used, with ``warnings=True`` turned
    into ``"error"``: the warnings filter of ``hopeit.dataobjects.payload`` only sees calls made from
    that module, not from pydantic's.
    """
    found = _writers.get(datatype)
    if found is None:
        built = adapter(datatype)
        if not getattr(built, "pydantic_complete", False):
            return functools.partial(_dump_json, built)
        found = _writers[datatype] = built.serializer.to_json
    return found


def _dump_json(built: "TypeAdapter[Any]", value: Any, *, warnings: bool = True, **options: Any) -> bytes:
    return built.dump_json(value, warnings="error" if warnings else "none", **options)


def _field_path(loc: Tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def type_name(datatype: Any) -> str:
    """Short name of a type for messages (``Something``, ``List[Something]``)."""
    args = typing.get_args(datatype)
    if args:
        origin = typing.get_origin(datatype)
        origin_name = getattr(origin, "__name__", None) or str(origin).replace("typing.", "")
        return f"{origin_name.capitalize() if origin in (list, dict, set, tuple) else origin_name}[" \
               f"{', '.join(type_name(arg) for arg in args)}]"
    name = getattr(datatype, "__qualname__", None)
    return str(name) if isinstance(name, str) else str(datatype).replace("typing.", "")


def validation_error(datatype: Any, exc: ValidationError, action: str = "Invalid") -> DataObjectValidationError:
    """Turn a pydantic error into one naming each field and its problem, without pydantic's internals."""
    problems = []
    for err in exc.errors(include_url=False, include_input=False, include_context=False):
        # pydantic adds the dataclass/function name as the first loc item for some schemas
        loc = tuple(err.get("loc", ()))
        msg = str(err.get("msg", "invalid value"))
        if msg.startswith(("Value error, ", "Assertion failed, ")):
            msg = msg.split(", ", 1)[1]
        problems.append((_field_path(loc), msg))
    return DataObjectValidationError(type_name(datatype), problems or [("", str(exc.title))], action)
