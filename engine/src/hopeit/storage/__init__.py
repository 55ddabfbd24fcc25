"""The object storage contract: save, get, list and delete data objects by key.

Backends register a class in the ``hopeit.storage`` entry-point group (``memory`` in the engine,
``fs`` and ``redis`` in their plugins) and are created by name::

    from hopeit.storage import create_storage
    storage = create_storage("fs", {"path": "/tmp/data", "partition_dateformat": "%Y/%m/%d"})
    await storage.store("item-1", something)
    item = await storage.get("item-1", datatype=Something)

Keys are literal names under the storage's base (a folder, a Redis database...), never a path or
a pattern: ``get``, ``store`` and ``delete`` take a key exactly as given, and only
``list_objects`` takes a wildcard. A key that breaks this rule (empty, ``.`` or ``..``, with a
path separator or NUL...) raises ``InvalidKeyError``, a ``ValueError`` that the web server answers
with 400: it is the caller's input that is wrong, not the server.
"""

from typing import Any, Mapping

from hopeit.contracts.discovery import load_storage_class
from hopeit.contracts.storage import InvalidKeyError, ItemLocator, ObjectStorage, check_key

__all__ = ["InvalidKeyError", "ItemLocator", "ObjectStorage", "check_key", "create_storage"]


def create_storage(name: str, settings: Mapping[str, Any]) -> ObjectStorage:
    """Create the storage backend registered as ``name`` (or a dotted class path) with ``settings``."""
    storage: ObjectStorage = load_storage_class(name).from_settings(settings)
    return storage
