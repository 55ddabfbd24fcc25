"""``SqliteStorage``: data objects as JSON rows of one SQLite table, by partition and key.

One file holds everything (``path``), so a single-host app gets durable storage with nothing to
run. Blocking sqlite3 calls happen in one worker thread per storage, which owns the connection:
the event loop never waits on disk, and calls are serialized, so no locking is needed here.
SQLite itself (WAL journal, busy timeout) lets several processes share the file.
"""

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, List, Mapping, Optional, Tuple, Type, TypeVar

from hopeit.dataobjects import dataclass, dataobject
from hopeit.dataobjects.payload import Payload
from hopeit.storage import ItemLocator

from acme_kvstore._names import check_key, check_partition, check_table, glob_match

__all__ = ["SqliteStorage", "SqliteStorageSettings"]

_T = TypeVar("_T")
_R = TypeVar("_R")

#: Milliseconds a writer waits for another process holding the database lock.
BUSY_TIMEOUT_MS = 5000


@dataobject
@dataclass
class SqliteStorageSettings:
    """Settings of ``create_storage("acme-sqlite", {...})``.

    :field path: database file (created with its folder when missing).
    :field table: table holding the objects; several storages may share a file with different tables.
    :field partition_dateformat: ``strftime`` format of partitions (e.g. ``%Y/%m/%d``), applied to each
        object's ``event_ts()``.
    """

    path: str
    table: str = "objects"
    partition_dateformat: Optional[str] = None


class SqliteStorage:
    """ObjectStorage backed by a SQLite table with columns ``partition``, ``key``, ``value`` (JSON)."""

    def __init__(self, *, path: str, table: str = "objects", partition_dateformat: Optional[str] = None) -> None:
        self.path = Path(path)
        self.table = check_table(table)
        self.partition_dateformat = (partition_dateformat or "").strip("/")
        self._executor: Optional[ThreadPoolExecutor] = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="acme-sqlite"
        )
        self._connection: Optional[sqlite3.Connection] = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "SqliteStorage":
        """Storage protocol constructor: ``{"path": ..., "table": ..., "partition_dateformat": ...}``.

        :raises ValueError: unknown keys or a missing ``path``, naming what is accepted.
        """
        unknown = set(settings) - {"path", "table", "partition_dateformat"}
        if unknown or "path" not in settings:
            raise ValueError(
                f"acme-sqlite storage settings: need 'path', accept 'table' and 'partition_dateformat'; "
                f"got {sorted(settings)}"
            )
        options = Payload.from_obj(dict(settings), SqliteStorageSettings)
        return cls(path=options.path, table=options.table, partition_dateformat=options.partition_dateformat)

    def _connect(self) -> sqlite3.Connection:
        # runs in the worker thread, which then owns the connection
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} (partition TEXT NOT NULL, key TEXT NOT NULL, "
                "value TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (partition, key))"
            )
            connection.commit()
            self._connection = connection
        return self._connection

    async def _run(self, func: Callable[[sqlite3.Connection], _R]) -> _R:
        executor = self._executor
        if executor is None:
            raise RuntimeError("acme-sqlite storage is closed: create a new one")

        def call() -> _R:
            return func(self._connect())

        return await asyncio.get_running_loop().run_in_executor(executor, call)

    def _partition_of(self, value: Any) -> str:
        if not self.partition_dateformat:
            return ""
        event_ts = value.event_ts() if hasattr(value, "event_ts") else None
        moment: datetime = event_ts if event_ts is not None else datetime.now(tz=timezone.utc)
        return check_partition(moment.astimezone(timezone.utc).strftime(self.partition_dateformat))

    async def store(self, key: str, value: Any) -> str:
        """Save ``value`` (a data object) under ``key``, replacing what was there; returns ``[partition/]key``."""
        check_key(key)
        text = Payload.to_json(value)
        partition = self._partition_of(value)
        updated_at = datetime.now(tz=timezone.utc).isoformat()

        def insert(db: sqlite3.Connection) -> None:
            with db:  # one transaction: committed, or rolled back on error
                db.execute(f"INSERT OR REPLACE INTO {self.table} VALUES (?, ?, ?, ?)",
                           (partition, key, text, updated_at))

        await self._run(insert)
        return f"{partition}/{key}" if partition else key

    async def get(self, key: str, *, datatype: Type[_T], partition_key: Optional[str] = None) -> Optional[_T]:
        """The object saved under ``key`` (in ``partition_key``) parsed as ``datatype``, or None."""
        check_key(key)
        partition = check_partition(partition_key or "")

        def select(db: sqlite3.Connection) -> Optional[str]:
            row = db.execute(f"SELECT value FROM {self.table} WHERE partition = ? AND key = ?",
                             (partition, key)).fetchone()
            return None if row is None else str(row[0])

        text = await self._run(select)
        return None if text is None else Payload.from_json(text, datatype)

    async def list_objects(self, wildcard: str = "*") -> List[ItemLocator]:
        """Locators whose ``[partition/]key`` matches ``wildcard`` (``*`` stays within one part)."""

        def select(db: sqlite3.Connection) -> List[Tuple[str, str]]:
            return [(str(p), str(k)) for p, k in
                    db.execute(f"SELECT partition, key FROM {self.table} ORDER BY partition, key")]

        return [
            ItemLocator(item_id=key, partition_key=partition or None)
            for partition, key in await self._run(select)
            if glob_match(wildcard, f"{partition}/{key}" if partition else key)
        ]

    async def delete(self, *keys: str, partition_key: Optional[str] = None) -> None:
        """Remove the objects saved under ``keys`` (all or none); a missing key raises ``KeyError``."""
        for key in keys:
            check_key(key)
        partition = check_partition(partition_key or "")

        def remove(db: sqlite3.Connection) -> None:
            with db:
                for key in keys:
                    cursor = db.execute(f"DELETE FROM {self.table} WHERE partition = ? AND key = ?", (partition, key))
                    if cursor.rowcount == 0:
                        raise KeyError(f"acme-sqlite storage: no object {key!r} in partition {partition!r}")

        await self._run(remove)

    async def close(self) -> None:
        """Close the database connection and stop the worker thread; the storage cannot be used after."""
        executor, self._executor = self._executor, None
        if executor is None:
            return

        def close_connection() -> None:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

        await asyncio.get_running_loop().run_in_executor(executor, close_connection)
        executor.shutdown(wait=True)
