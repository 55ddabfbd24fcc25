"""The object storage contract: what every storage backend offers, and the rule its keys follow.

``hopeit.storage`` is where apps and backends import these names from; they live here, at the
bottom of the engine, so that plugin discovery can check a backend without importing the storage
package. Keys are literal names under the storage's base, never a path or a pattern: a key that
breaks the rule raises ``InvalidKeyError``, a ``ValueError`` that the web server answers with 400.
"""

from dataclasses import dataclass
from typing import Any, List, Mapping, Optional, Type, TypeVar

from hopeit.dataobjects import dataobject

try:
    from typing import Protocol, runtime_checkable
except ImportError:  # pragma: no cover - Python < 3.8 is not supported, kept for type checkers
    from typing_extensions import Protocol, runtime_checkable  # type: ignore[assignment]

__all__ = ["InvalidKeyError", "ItemLocator", "ObjectStorage", "check_key"]

_T = TypeVar("_T")

#: Longest part of an offending key quoted in an error message (keys come from clients).
_QUOTED_KEY_MAX = 80


class InvalidKeyError(ValueError):
    """A storage key that is not a plain literal name: a client error (the web server answers 400).

    Raised by every storage backend (``memory``, ``fs``, ``redis``...) before anything is read or
    written, for a key that is empty, ``.`` or ``..``, absolute or with a path separator, with a NUL
    character, or with glob/pattern characters where the backend would treat them as a pattern.
    The message names the key (quoted and shortened) and the rule it breaks; ``key`` and ``rule``
    keep both for callers that build their own answer.
    """

    def __init__(self, message: str, *, key: Any = None, rule: str = "") -> None:
        super().__init__(message)
        self.key = key
        self.rule = rule

    @classmethod
    def for_key(cls, key: Any, rule: str, *, what: str = "key", backend: str = "storage") -> "InvalidKeyError":
        """The error for ``key`` breaking ``rule``: ``"<backend> <what> '<key>' is invalid: <rule>"``."""
        return cls(f"{backend} {what} {_quote_key(key)} is invalid: {rule}", key=key, rule=rule)


def _quote_key(key: Any) -> str:
    """``repr`` of ``key`` for a message: control characters escaped, cut after ~80 characters."""
    text = repr(key)
    if len(text) <= _QUOTED_KEY_MAX:
        return text
    return f"{text[:_QUOTED_KEY_MAX]}... ({len(key) if isinstance(key, str) else len(text)} characters)"


def check_key(key: Any, *, what: str = "key", backend: str = "storage") -> str:
    r"""``key`` when it is a portable plain name; otherwise ``InvalidKeyError`` saying which rule it breaks.

    The rule every backend accepts: a non-empty string, not ``.`` or ``..``, with no ``/``, ``\``
    or NUL. Backends add their own rules (fs-storage also refuses names starting with ``.``).
    """
    if not isinstance(key, str) or not key:
        raise InvalidKeyError.for_key(key, "it must be a non-empty string", what=what, backend=backend)
    if key in (".", ".."):
        raise InvalidKeyError.for_key(
            key, "'.' and '..' are not names (keys are literal names, never paths)", what=what, backend=backend
        )
    if "\x00" in key:
        raise InvalidKeyError.for_key(key, "it contains a NUL character", what=what, backend=backend)
    if "/" in key or "\\" in key:
        raise InvalidKeyError.for_key(
            key,
            "it contains '/' or '\\' (keys are literal names under the storage base, never paths): use a plain name",
            what=what,
            backend=backend,
        )
    return key


@dataobject
@dataclass
class ItemLocator:
    """Where a stored object is: its key and, for partitioned storage, its partition."""

    item_id: str
    partition_key: Optional[str] = None


@runtime_checkable
class ObjectStorage(Protocol):
    """What every storage backend offers.

    Keys are plain literal names (no path separators, no ``..``, never a pattern): a bad key raises
    ``InvalidKeyError``. Only ``list_objects`` takes a wildcard.
    """

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "ObjectStorage":
        """Create a ready-to-use storage from a settings mapping (backend specific keys)."""
        ...

    async def store(self, key: str, value: Any) -> str:
        """Save ``value`` (a ``@dataobject``) under ``key``; returns where it was stored."""
        ...

    async def get(self, key: str, *, datatype: Type[_T], partition_key: Optional[str] = None) -> Optional[_T]:
        """The object saved under ``key`` parsed as ``datatype``, or None when there is none."""
        ...

    async def list_objects(self, wildcard: str = "*") -> List[ItemLocator]:
        """Locators of the stored objects whose key (with partition) matches ``wildcard``."""
        ...

    async def delete(self, *keys: str, partition_key: Optional[str] = None) -> None:
        """Remove the objects saved under ``keys``."""
        ...
