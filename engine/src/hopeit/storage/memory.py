"""The embedded in-memory storage: ``create_storage("memory", {...})``.

Objects are kept as their JSON text, so what ``get`` returns is always a fresh copy and a caller
that mutates a stored object (or the object it got back) changes nothing in the storage, as with
a real backend. It needs no server and no folder, and is meant for tests, examples and apps that
run in one process.

Settings (all optional):

``name``
    Instances created with the same ``name`` share one store in the process, so a "save" event
    and a "query" event that each create their storage see the same objects. When missing,
    ``path`` is used as the name, so an fs-storage settings section works unchanged. With neither,
    the instance keeps a private store.
``partition_dateformat``
    A ``strftime`` format such as ``"%Y/%m/%d"``: objects are then kept under the partition of
    their ``event_ts()`` (or the current UTC time), like fs-storage does with folders.
"""

import fnmatch
from datetime import datetime, timezone
from typing import Any, ClassVar, Dict, List, Mapping, Optional, Type, TypeVar

from hopeit.dataobjects.payload import Payload
from hopeit.storage import ItemLocator, check_key

__all__ = ["MemoryStorage"]

_T = TypeVar("_T")

#: fs-storage settings keys accepted (and ignored) so an fs settings section works in memory.
_FS_ONLY_SETTINGS = frozenset({"flush_seconds", "flush_max_size", "fsync", "stale_temp_seconds"})


def _check_name(value: str, what: str) -> None:
    """Refuse keys that could not be file names in a real backend, so apps stay portable."""
    check_key(value, what=what, backend="memory storage")


def _check_partition(partition_key: str) -> None:
    for part in partition_key.split("/"):
        _check_name(part, f"partition key part (in {partition_key!r})")


def _glob_match(pattern: str, path: str) -> bool:
    """Match like a filesystem glob: ``*`` never crosses a ``/``."""
    pattern_parts = pattern.split("/")
    path_parts = path.split("/")
    return len(pattern_parts) == len(path_parts) and all(
        fnmatch.fnmatchcase(part, pat) for part, pat in zip(path_parts, pattern_parts)
    )


class MemoryStorage:
    """ObjectStorage kept in this process: JSON text by partition and key."""

    _shared: ClassVar[Dict[str, Dict[str, Dict[str, str]]]] = {}

    def __init__(self, *, name: Optional[str] = None, partition_dateformat: Optional[str] = None) -> None:
        self.name = name
        self.partition_dateformat = (partition_dateformat or "").strip("/")
        # partition key ("" when not partitioned) -> key -> JSON text
        self._items: Dict[str, Dict[str, str]] = {} if name is None else self._shared.setdefault(name, {})

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "MemoryStorage":
        """Create from a settings mapping with optional ``name`` (or ``path``) and ``partition_dateformat``."""
        # fs-storage settings work unchanged: the keys that mean nothing in memory are accepted
        unknown = set(settings) - {"name", "path", "partition_dateformat"} - _FS_ONLY_SETTINGS
        if unknown:
            raise ValueError(
                f"memory storage settings: unknown keys {sorted(unknown)}; allowed: name, path, partition_dateformat"
            )
        name = settings.get("name") or settings.get("path")
        return cls(name=None if name is None else str(name), partition_dateformat=settings.get("partition_dateformat"))

    @classmethod
    def clear_shared(cls, name: Optional[str] = None) -> None:
        """Forget the shared store called ``name`` (every shared store when None); handy between tests."""
        if name is None:
            for items in cls._shared.values():
                items.clear()
        elif name in cls._shared:
            cls._shared[name].clear()

    def _partition_of(self, value: Any) -> str:
        if not self.partition_dateformat:
            return ""
        event_ts = value.event_ts() if hasattr(value, "event_ts") else None
        moment: datetime = event_ts if event_ts is not None else datetime.now(tz=timezone.utc)
        partition = moment.astimezone(timezone.utc).strftime(self.partition_dateformat).strip("/")
        _check_partition(partition)
        return partition

    async def store(self, key: str, value: Any) -> str:
        """Save ``value`` under ``key`` (in its date partition when configured); returns ``[partition/]key``."""
        _check_name(key, "key")
        text = Payload.to_json_bytes(value).decode()
        partition = self._partition_of(value)
        self._items.setdefault(partition, {})[key] = text
        return f"{partition}/{key}" if partition else key

    async def get(self, key: str, *, datatype: Type[_T], partition_key: Optional[str] = None) -> Optional[_T]:
        """A copy of the object saved under ``key`` (in ``partition_key``), or None."""
        _check_name(key, "key")
        partition = (partition_key or "").strip("/")
        if partition:
            _check_partition(partition)
        text = self._items.get(partition, {}).get(key)
        return None if text is None else Payload.from_json(text, datatype)

    async def list_objects(self, wildcard: str = "*") -> List[ItemLocator]:
        """Locators whose ``[partition/]key`` matches ``wildcard`` (glob rules: ``*`` stays within a part)."""
        found: List[ItemLocator] = []
        for partition, items in list(self._items.items()):
            for key in list(items):
                path = f"{partition}/{key}" if partition else key
                if _glob_match(wildcard, path):
                    found.append(ItemLocator(item_id=key, partition_key=partition or None))
        return found

    async def delete(self, *keys: str, partition_key: Optional[str] = None) -> None:
        """Remove the objects saved under ``keys``; a missing key raises ``KeyError`` as a missing file would."""
        partition = (partition_key or "").strip("/")
        if partition:
            _check_partition(partition)
        items = self._items.get(partition, {})
        for key in keys:
            _check_name(key, "key")
            if key not in items:
                raise KeyError(f"memory storage: no object {key!r} in partition {partition!r}")
        for key in keys:
            del items[key]
        if partition and not items:
            self._items.pop(partition, None)
