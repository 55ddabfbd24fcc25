"""acme-hopeit-kvstore: a SQLite storage backend for hopeit.engine apps, installed as a plugin.

After ``pip install acme-hopeit-kvstore`` the engine finds it by name through the
``hopeit.storage`` entry point this distribution declares::

    from hopeit.storage import create_storage

    storage = create_storage("acme-sqlite", {"path": "data/objects.db", "partition_dateformat": "%Y/%m/%d"})
    await storage.store("item-1", something)
    item = await storage.get("item-1", datatype=Something, partition_key="2024/03/05")
"""

from acme_kvstore.storage import SqliteStorage, SqliteStorageSettings
from acme_kvstore.version import __version__

__all__ = ["SqliteStorage", "SqliteStorageSettings", "__version__"]
