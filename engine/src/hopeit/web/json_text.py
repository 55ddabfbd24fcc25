r"""JSON text of HTTP answers as hopeit.engine 0.24 wrote it, at close to pydantic's own speed.

0.24 answered with ``json.dumps`` text: ``", "`` / ``": "`` separators, characters past ``~``
escaped as ``\uXXXX``, floats as Python writes them (``1e-05``). ``Payload.to_json`` gives that
text through ``json.dumps`` of pydantic's Python output, which takes 4 to 8 times as long as
pydantic writing the JSON itself (a ~1 KB data object: 67 us against 15 us).

So data objects are written here by pydantic's pretty printer without indent: it puts a newline
after every ``,`` between items and after each opening bracket, and a newline never occurs inside
a JSON string (it is written ``\n``), so two byte replacements turn that output into 0.24's
separators. What pydantic writes otherwise is fixed after, only when present: characters past
``~`` (pydantic writes them as UTF-8, DEL as it is) and some floats: ``0.00001`` and ``1e-7``
where Python writes ``1e-05`` and ``1e-07``. The floats are looked for only in objects of a type
that can hold one (``may_hold_float``). Other values (atomic ones, lists, dicts) are written by
``Payload.to_json``.
"""

import dataclasses
import enum
import re
import sys
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any, Dict, Literal, Set, get_args, get_origin, get_type_hints

import pydantic_core
from hopeit.dataobjects.payload import Payload

__all__ = ["json_text", "may_hold_float"]

#: A float as pydantic writes it where Python's digits may differ: ``1e-7`` (Python: ``1e-07``),
#: ``0.00001`` (``1e-05``) and, before pydantic-core 2.28 (the one for Python 3.8), ``1e16`` (``1e+16``).
#: In pretty output a number value ends a line, after a newline (in a list) or ``": ``, before an
#: optional comma (a newline is never inside a string). Starting with those two makes it faster.
_ODD_FLOAT = re.compile(rb'(\n|": )(-?(?:\d+(?:\.\d+)?e[-+]?\d+|0\.0000\d+))(?=,?\n)')
#: The same in the places it can be, found faster: a number ends a line (see ``_ODD_FLOAT``), so a
#: one-digit negative exponent is ``e-7`` before ``\n`` or ``,\n``; ``0.00001`` to ``0.0000999...``
#: start with ``0.0000`` (text in strings that looks like it only makes ``_ODD_FLOAT`` find nothing).
_SHORT_EXPONENT = re.compile(rb"e-\d,?\n")
#: Characters ``json.dumps`` escapes that pydantic writes as they are: DEL and all past ASCII.
#: (Written as a negated class: ``[\x7f-\U0010ffff]`` is the same set but takes 10 ms to compile.)
_NOT_ASCII = re.compile("[^\x00-\x7e]")
#: ``1e16`` where Python writes ``1e+16`` (pydantic-core before 2.28): any exponent is looked for
_ANY_EXPONENT = re.compile(rb"e[-+]?\d+,?\n") if pydantic_core.to_json(1e16) == b"1e16" else None
#: Types whose JSON never holds a float: atomic ones the data-object writer gives as strings or ints
_FLOAT_FREE = (str, int, bytes, datetime, date, time, timedelta, uuid.UUID, type(None))
#: ``may_hold_float`` of data-object classes, worked out once per class
_holds_float: Dict[type, bool] = {}


def _python_float(match: "re.Match[bytes]") -> bytes:
    return match.group(1) + repr(float(match.group(2))).encode()


def _has_odd_float(out: bytes) -> bool:
    """Whether pretty output ``out`` may hold a float that pydantic writes otherwise than Python.

    ``bytes.find`` and a pattern that starts with a literal: both scan in C (a pattern starting
    with a set of characters takes ~40 ns a byte here, as long as writing the answer).
    """
    if out.find(b"0.0000") >= 0:
        return True
    exponent = _ANY_EXPONENT or _SHORT_EXPONENT
    return exponent.search(out) is not None


def may_hold_float(datatype: Any) -> bool:
    """Whether the JSON of a ``datatype`` value may hold a float: False only when its fields cannot.

    A data object that is not validated (``@dataobject(validate=False)``) may hold anything, and so
    may fields of types this cannot tell (``Any``, type variables, hints that do not resolve).
    Decimals count as floats: they are written through ``float``.
    """
    if isinstance(datatype, type) and dataclasses.is_dataclass(datatype):
        found = _holds_float.get(datatype)
        if found is None:
            found = _holds_float[datatype] = _fields_may_hold_float(datatype, set())
        return found
    return _may_hold_float(datatype, set())


def _fields_may_hold_float(datatype: type, seen: Set[type]) -> bool:
    options = getattr(datatype, "__data_object__", None)
    if not options or not options.get("validate", True):
        return True
    seen.add(datatype)
    try:
        hints = get_type_hints(datatype, vars(sys.modules[datatype.__module__]))
    except Exception:  # noqa: BLE001 - hints that do not resolve: anything may be there
        return True
    return any(_may_hold_float(hints.get(item.name, Any), seen) for item in dataclasses.fields(datatype))


def _may_hold_float(datatype: Any, seen: Set[type]) -> bool:
    origin = get_origin(datatype)
    if origin is Literal:
        return any(isinstance(value, float) for value in get_args(datatype))
    if origin is not None:  # List[...], Dict[...], Optional[...], Union[...], Annotated[...], tuples
        return any(_may_hold_float(arg, seen) for arg in get_args(datatype) if arg is not Ellipsis)
    if not isinstance(datatype, type):
        return True
    if issubclass(datatype, float):
        return True
    if dataclasses.is_dataclass(datatype):
        return datatype not in seen and _fields_may_hold_float(datatype, seen)
    if issubclass(datatype, enum.Enum):
        return any(isinstance(member.value, float) for member in datatype)
    return not issubclass(datatype, _FLOAT_FREE)


def _escape(match: "re.Match[str]") -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # a UTF-16 surrogate pair, as json.dumps writes it
    return f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}"


def json_text(payload: Any, key: str) -> bytes:
    """``Payload.to_json(payload, key=key)`` as bytes: data objects as themselves, atomic values as ``{key: value}``.

    :raises ValueError: a data object that validates holds a value that does not match its field type.
    """
    if not hasattr(payload, "__data_object__") or not hasattr(payload, "__dataclass_fields__"):
        return Payload.to_json(payload, key=key).encode()
    try:
        # type checks included: Payload's own warnings filter turns pydantic's into errors
        out = Payload.to_json_bytes(payload, key, indent=0)
    except Exception:  # noqa: BLE001 - a value pydantic cannot write: Payload raises the error naming the field
        return Payload.to_json(payload, key=key).encode()
    if may_hold_float(type(payload)) and _has_odd_float(out):
        out = _ODD_FLOAT.sub(_python_float, out)
    out = out.replace(b",\n", b", ").replace(b"\n", b"")
    if not out.isascii() or out.find(b"\x7f") >= 0:
        out = _NOT_ASCII.sub(_escape, out.decode()).encode()
    return out
