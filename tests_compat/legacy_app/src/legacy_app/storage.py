"""The app's FileStorage, built from ``settings.fs_storage`` when an event initialises."""

from typing import Optional

from hopeit.app.context import EventContext
from hopeit.fs_storage import FileStorage, FileStorageSettings

fs: Optional[FileStorage] = None


def init_storage(context: EventContext) -> FileStorage:
    """Open the storage at the path the settings give now (tests may change it per test)."""
    global fs
    settings: FileStorageSettings = context.settings(key="fs_storage", datatype=FileStorageSettings)
    fs = FileStorage.with_settings(settings)
    return fs
