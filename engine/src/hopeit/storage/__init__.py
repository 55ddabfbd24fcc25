"""The object storage contract: save, get, list and delete data objects by key.

Backends register a class in the ``hopeit.storage`` entry-point group (``memory`` in the engine,
``fs`` and ``redis`` in their plugins) and are created by name::

    from hopeit.storage import create_storage
    storage = create_storage("fs", {"path": "/tmp/data", "partition_dateformat": "%Y/%m/%d"})
    await storage.store("item-1", something)
    item = await storage.get("item-1", datatype=Something)
"""

from dataclasses import dataclass
from typing import Any, List, Mapping, Optional, Type, TypeVar

from hopeit.dataobjects import dataobject

try:
    from typing import Protocol, runtime_checkable
except ImportError:  # pragma: no cover - Python < 3.8 is not supported, kept for type checkers
    from typing_extensions import Protocol, runtime_checkable  # type: ignore[assignment]

__all__ = ["ItemLocator", "ObjectStorage", "create_storage"]

_T = TypeVar("_T")


@dataobject
@dataclass
class ItemLocator:
    """Where a stored object is: its key and, for partitioned storage, its partition."""

    item_id: str
    partition_key: Optional[str] = None


@runtime_checkable
class ObjectStorage(Protocol):
    """What every storage backend offers. Keys are plain names: no path separators, no ``..``."""

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


def create_storage(name: str, settings: Mapping[str, Any]) -> ObjectStorage:
    """Create the storage backend registered as ``name`` (or a dotted class path) with ``settings``."""
    from hopeit.server.plugins import load_storage_class  # discovery lives in the runtime

    storage: ObjectStorage = load_storage_class(name).from_settings(settings)
    return storage
