"""Where simple-example keeps its ``Something`` objects: a ``FileStorage`` shared by its events.

Events that read or write objects list ``"setting_keys": ["fs_storage"]`` in app config, so the
``fs_storage`` settings section (path and date partition format) reaches their context. The
storage is created on first use and cached by path: every event of the app shares one instance.

Ids and partition keys that arrive in requests are storage keys: literal names under the storage
folder, never a path or a pattern. The ``valid_*`` functions check them before any storage call
and answer a bad one with ``BadRequest`` (400) saying what is wrong; ``find_something`` looks an
id up literally (``FileStorage.locate``), so ``*`` in an id matches only an item called ``*``.
"""

from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional, TypeVar, Union

from hopeit.app.context import EventContext
from hopeit.app.errors import BadRequest
from hopeit.fs_storage import FileStorage, FileStorageSettings, check_key, check_partition_key, check_wildcard
from hopeit.storage import InvalidKeyError

from simple_example.model import Something, SomethingNotFound, StatusType

__all__ = [
    "find_something",
    "items_wildcard",
    "load_all",
    "mark_loaded",
    "now",
    "something_storage",
    "valid_id",
    "valid_partition_key",
    "valid_wildcard",
]

_V = TypeVar("_V")

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


def _client_input(field: str, check: Callable[[_V], object], value: _V) -> _V:
    """``value`` when ``check`` accepts it; a storage refusal becomes the client's 400, naming the field."""
    try:
        check(value)
    except InvalidKeyError as exc:
        raise BadRequest(f"Invalid {field}: {exc}") from None
    return value


def valid_id(item_id: str, field: str = "item_id") -> str:
    r"""``item_id`` when it can name a stored item (non-empty, no ``/``, ``\`` or NUL, not hidden); else 400.

    Ids are also printable: events echo them in response headers (``X-Stored-Path``), where
    control characters are not allowed.
    """
    _client_input(field, check_key, item_id)
    if isinstance(item_id, str) and not item_id.isprintable():
        raise BadRequest(f"Invalid {field}: id {item_id[:80]!r} is invalid: it holds control characters")
    return item_id


def valid_partition_key(partition_key: Optional[str], field: str = "partition_key") -> Optional[str]:
    """``partition_key`` (None when empty) when it is a relative date partition such as ``2024/03/05/10``; else 400."""
    return _client_input(field, check_partition_key, partition_key or None)


def valid_wildcard(wildcard: str, field: str = "wildcard") -> str:
    """``wildcard`` when it is a file-name pattern that stays in the storage folder; else 400."""
    return _client_input(field, check_wildcard, wildcard)


def items_wildcard(storage: "FileStorage[Any]", item_wildcard: str = "*") -> str:
    """Wildcard matching ``item_wildcard`` in every date partition (``*/*/*/*/<item>``)."""
    depth = len(storage.partition_dateformat.split("/")) if storage.partition_dateformat else 0
    return "/".join(["*"] * depth + [item_wildcard])


async def find_something(
    storage: "FileStorage[Any]", item_id: str, partition_key: Optional[str] = None
) -> Union[Something, SomethingNotFound]:
    """The stored ``Something`` with ``item_id``: in ``partition_key``, or the newest partition holding it.

    ``item_id`` is literal: it is never used as a pattern (``*`` finds only an item called ``*``).
    """
    if partition_key:
        found = await storage.get(item_id, datatype=Something, partition_key=partition_key)
        return found if found is not None else SomethingNotFound(path=f"{storage.path}/{partition_key}", id=item_id)
    for locator in await storage.locate(item_id):  # newest partition first
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
