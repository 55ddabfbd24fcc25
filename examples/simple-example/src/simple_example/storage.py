"""Where simple-example keeps its ``Something`` objects: a ``FileStorage`` shared by its events.

Events that read or write objects list ``"setting_keys": ["fs_storage"]`` in app config, so the
``fs_storage`` settings section (path and date partition format) reaches their context. The
storage is created on first use and cached by path: every event of the app shares one instance.
"""

from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Union

from hopeit.app.context import EventContext
from hopeit.fs_storage import FileStorage, FileStorageSettings

from simple_example.model import Something, SomethingNotFound, StatusType

__all__ = ["find_something", "items_wildcard", "load_all", "mark_loaded", "now", "something_storage"]

_storages: Dict[str, "FileStorage[Any]"] = {}


def now() -> datetime:
    """Current time in UTC (statuses and partitions are always UTC)."""
    return datetime.now(tz=timezone.utc)


def something_storage(context: EventContext) -> "FileStorage[Any]":
    """The app's ``FileStorage``, from the ``fs_storage`` settings section."""
    settings = context.settings(key="fs_storage", datatype=FileStorageSettings)
    storage = _storages.get(settings.path)
    if storage is None:
        storage = _storages[settings.path] = FileStorage.with_settings(settings)
    return storage


def items_wildcard(storage: "FileStorage[Any]", item_wildcard: str = "*") -> str:
    """Wildcard matching ``item_wildcard`` in every date partition (``*/*/*/*/<item>``)."""
    depth = len(storage.partition_dateformat.split("/")) if storage.partition_dateformat else 0
    return "/".join(["*"] * depth + [item_wildcard])


async def find_something(
    storage: "FileStorage[Any]", item_id: str, partition_key: Optional[str] = None
) -> Union[Something, SomethingNotFound]:
    """The stored ``Something`` with ``item_id``: in ``partition_key``, or the newest partition holding it."""
    if partition_key:
        found = await storage.get(item_id, datatype=Something, partition_key=partition_key)
        return found if found is not None else SomethingNotFound(path=f"{storage.path}/{partition_key}", id=item_id)
    locators = await storage.list_objects(items_wildcard(storage, item_id))
    for locator in sorted(locators, key=lambda loc: loc.partition_key or "", reverse=True):
        found = await storage.get(locator.item_id, datatype=Something, partition_key=locator.partition_key)
        if found is not None:
            return found
    return SomethingNotFound(path=str(storage.path), id=item_id)


async def load_all(storage: "FileStorage[Any]", item_wildcard: str = "*") -> List[Something]:
    """Every stored ``Something`` whose id matches ``item_wildcard``, in any partition."""
    items: List[Something] = []
    for locator in await storage.list_objects(items_wildcard(storage, item_wildcard)):
        item = await storage.get(locator.item_id, datatype=Something, partition_key=locator.partition_key)
        if item is not None:
            items.append(item)
    return items


def mark_loaded(item: Something) -> Something:
    """Record that ``item`` was read (status LOADED, previous status kept in history)."""
    item.set_status(StatusType.LOADED, now())
    return item
