"""A tiny app whose storage backend is chosen by name in its config: the way apps use storage plugins."""

from datetime import datetime
from typing import Any, Dict, Optional

from hopeit.app.context import EventContext
from hopeit.dataobjects import dataclass, dataobject, field
from hopeit.storage import ObjectStorage, create_storage


@dataobject(event_id="id", event_ts="created")
@dataclass
class Note:
    """A note; ``created`` picks its partition."""

    id: str
    text: str
    created: datetime


@dataobject
@dataclass
class StorageSettings:
    """``settings.notes_storage``: backend name (an ``hopeit.storage`` entry point) and its options."""

    backend: str
    options: Dict[str, Any] = field(default_factory=dict)


_storages: Dict[str, ObjectStorage] = {}


def notes_storage_instance(app_key: str) -> Optional[ObjectStorage]:
    """The storage created for an app, if any."""
    return _storages.get(app_key)


async def close_storages() -> None:
    """Close and forget the storages created so far (those that can be closed)."""
    for storage in list(_storages.values()):
        close = getattr(storage, "close", None)
        if close is not None:
            await close()
    _storages.clear()


def notes_storage(context: EventContext) -> ObjectStorage:
    """The storage named in settings, created once per app."""
    storage = _storages.get(context.app_key)
    if storage is None:
        settings = context.settings(key="notes_storage", datatype=StorageSettings)
        storage = _storages[context.app_key] = create_storage(settings.backend, settings.options)
    return storage
