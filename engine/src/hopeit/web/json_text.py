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
where Python writes ``1e-05`` and ``1e-07``. Other values (atomic ones, lists, dicts) are written
by ``Payload.to_json``.
"""

import re
from typing import Any

import pydantic_core
from hopeit.dataobjects.payload import Payload

__all__ = ["json_text"]

#: A float as pydantic writes it where Python's digits may differ: ``1e-7`` (Python: ``1e-07``),
#: ``0.00001`` (``1e-05``) and, before pydantic-core 2.28 (the one for Python 3.8), ``1e16`` (``1e+16``).
#: In pretty output a number value ends a line, after a newline (in a list) or ``": ``, before an
#: optional comma (a newline is never inside a string). Starting with those two makes it faster.
_ODD_FLOAT = re.compile(rb'(\n|": )(-?(?:\d+(?:\.\d+)?e[-+]?\d+|0\.0000\d+))(?=,?\n)')
#: Characters ``json.dumps`` escapes that pydantic writes as they are: DEL and all past ASCII.
#: (Written as a negated class: ``[\x7f-\U0010ffff]`` is the same set but takes 10 ms to compile.)
_NOT_ASCII = re.compile("[^\x00-\x7e]")
#: Every digit as ``0``: ``<digit>e-<digit>`` is then one needle for ``bytes.find``.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
#: ``1e16`` where Python writes ``1e+16``: exponents are then looked for without a sign too
_UNSIGNED_EXPONENT = pydantic_core.to_json(1e16) == b"1e16"


def _python_float(match: "re.Match[bytes]") -> bytes:
    return match.group(1) + repr(float(match.group(2))).encode()


def _has_odd_float(out: bytes) -> bool:
    """Whether ``out`` may hold a float that pydantic writes otherwise than Python (see ``_ODD_FLOAT``).

    Byte searches rather than a regular expression, which takes ~40 ns a byte here (for a 1 KB
    answer, as long as writing it); ``find``, not ``in``, which takes four times as long (it reads
    the needle through the buffer protocol). Text in strings that looks like such a float (``2e-5``,
    hexadecimal ids) only makes ``_ODD_FLOAT`` look for nothing.
    """
    if out.find(b"0.0000") >= 0:
        return True
    if out.find(b"e-") < 0 and not _UNSIGNED_EXPONENT:
        return False
    digits = out.translate(_DIGITS_AS_ZERO)
    return digits.find(b"0e-0") >= 0 or (_UNSIGNED_EXPONENT and digits.find(b"0e0") >= 0)


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
    if _has_odd_float(out):
        out = _ODD_FLOAT.sub(_python_float, out)
    out = out.replace(b",\n", b", ").replace(b"\n", b"")
    if not out.isascii() or out.find(b"\x7f") >= 0:
        out = _NOT_ASCII.sub(_escape, out.decode()).encode()
    return out
