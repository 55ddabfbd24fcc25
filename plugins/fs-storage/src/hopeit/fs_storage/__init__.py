"""Store data objects as JSON files (and raw files as they are) in a local folder.

::

    from hopeit.fs_storage import FileStorage

    storage = FileStorage(path="/var/data/things", partition_dateformat="%Y/%m/%d")
    await storage.store("thing-1", thing)          # /var/data/things/2024/03/05/thing-1.json
    await storage.get("thing-1", datatype=Thing, partition_key="2024/03/05")

The same class is the ``fs`` backend of the engine's storage protocol:
``hopeit.storage.create_storage("fs", {"path": ..., "partition_dateformat": ...})``.

Writes are atomic (temp file in the same folder, flush, fsync, ``os.replace``), and the temp
files of writers killed mid-write are swept when a storage starts on the folder. Keys are literal
names checked so nothing outside ``path`` is ever read or written: a bad one raises
``hopeit.storage.InvalidKeyError``. ``check_key``, ``check_partition_key`` and ``check_wildcard``
are those checks, for apps that validate request input before using it. Blocking file work runs
in the executor through aiofiles' wrappers, one hop per operation.
"""

import glob
import io
import os
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Generic, List, Mapping, Optional, Tuple, Type, TypeVar, Union

from aiofiles.os import wrap
from hopeit.dataobjects import DataObject, dataclass, dataobject
from hopeit.dataobjects.payload import Payload
from hopeit.fs_storage import _paths, _sweep
from hopeit.fs_storage._paths import check_key, check_partition_key, check_wildcard
from hopeit.fs_storage._sweep import DEFAULT_STALE_TEMP_SECONDS
from hopeit.fs_storage.partition import get_file_partition_key, get_partition_key
from hopeit.storage import InvalidKeyError, ItemLocator

__all__ = [
    "DEFAULT_STALE_TEMP_SECONDS",
    "SUFFIX",
    "FileStorage",
    "FileStorageSettings",
    "ItemLocator",
    "check_key",
    "check_partition_key",
    "check_wildcard",
]

#: File suffix of stored data objects.
SUFFIX = ".json"

_T = TypeVar("_T")

_write_atomic = wrap(_paths.write_atomic)
_read_file = wrap(_paths.read_file)
_delete_file = wrap(_paths.delete_file)
_list_matches = wrap(_paths.list_matches)
_remove_stale_temp_files = wrap(_sweep.remove_stale_temp_files)


@dataobject
@dataclass
class FileStorageSettings:
    """Settings of a ``FileStorage`` (and of the stream batch storage event).

    :field path: folder where files are stored (created when missing).
    :field partition_dateformat: ``strftime`` format of the date partition folders, e.g. ``%Y/%m/%d``.
    :field flush_seconds: batch storage event only: flush buffered items every this many seconds (0: never by time).
    :field flush_max_size: batch storage event only: flush a partition when it holds this many items (0: never by size).
    :field fsync: make each write durable (fsync before the rename). Writes stay atomic without it,
        but a power loss may then lose recent writes; turn it off only for data you can rebuild.
    :field stale_temp_seconds: temp files of interrupted writes (a writer killed mid-write) older
        than this many seconds are removed when a storage starts on ``path``; 0 turns the sweep off.
        Keep it well above the longest write, so a write in progress elsewhere is never touched.
    """

    path: str
    partition_dateformat: Optional[str] = None
    flush_seconds: float = 0.0
    flush_max_size: int = 1
    fsync: bool = True
    stale_temp_seconds: float = DEFAULT_STALE_TEMP_SECONDS


class FileStorage(Generic[DataObject]):
    """Data objects as ``<path>[/<partition>]/<key>.json`` files; raw files as ``<path>[/<partition>]/<name>``.

    Keys and file names are literal names: ``*``, ``?`` and ``[`` in them match only themselves.
    Only the ``wildcard`` of ``list_objects`` / ``list_files`` is a glob pattern.
    """

    def __init__(
        self,
        *,
        path: str,
        partition_dateformat: Optional[str] = None,
        fsync: bool = True,
        stale_temp_seconds: float = DEFAULT_STALE_TEMP_SECONDS,
    ) -> None:
        self.path = Path(path)
        self.fsync = fsync
        self.stale_temp_seconds = _sweep.check_age(stale_temp_seconds, "stale_temp_seconds")
        self._base = str(self.path)
        os.makedirs(self.path, exist_ok=True)
        self.partition_dateformat = (partition_dateformat or "").strip("/")
        # every file operation checks that the real location stays below this one
        self._real_base = os.path.realpath(self.path)
        #: The sweep of stale temp files started by this storage, in a worker thread (its result
        #: is the list of removed paths); None when disabled or already done in this process.
        self.temp_sweep: Optional[Future[List[str]]] = _sweep.start_sweep(
            self._base, self._real_base, self.stale_temp_seconds
        )

    @classmethod
    def with_settings(cls, settings: FileStorageSettings) -> "FileStorage[Any]":
        """Storage at ``settings.path`` partitioned by ``settings.partition_dateformat``."""
        return cls(
            path=settings.path,
            partition_dateformat=settings.partition_dateformat,
            fsync=settings.fsync,
            stale_temp_seconds=settings.stale_temp_seconds,
        )

    @classmethod
    def from_settings(cls, settings: Union[Mapping[str, Any], FileStorageSettings]) -> "FileStorage[Any]":
        """Storage protocol constructor: ``{"path": ..., "partition_dateformat": ...}`` or ``FileStorageSettings``."""
        if not isinstance(settings, FileStorageSettings):
            if "path" not in settings:
                raise ValueError("fs storage settings need 'path': the folder where objects are stored")
            settings = Payload.from_obj(dict(settings), FileStorageSettings)
        return cls.with_settings(settings)

    def _directory(self, partition_key: Optional[str]) -> str:
        partition = _paths.check_partition_key(partition_key)
        return os.path.join(self._base, partition) if partition else self._base

    def _own_partition_directory(self, partition_key: str) -> str:
        """Folder of a partition made from ``partition_dateformat``: a bad one is a settings error, not the caller's."""
        try:
            return self._directory(partition_key)
        except InvalidKeyError as exc:
            raise ValueError(
                f"fs-storage partition_dateformat {self.partition_dateformat!r} of {self._base} gives an invalid "
                f"partition key {partition_key!r} ({exc.rule}): fix the storage settings"
            ) from None

    async def store(self, key: str, value: DataObject) -> str:
        """Save ``value`` as JSON under ``key`` (in its date partition when configured); returns the file path."""
        _paths.check_key(key)
        data = Payload.to_json_bytes(value)
        directory = self._own_partition_directory(get_partition_key(value, self.partition_dateformat))
        await _write_atomic(directory, key + SUFFIX, data, self._real_base, self.fsync)
        return Path(directory, key + SUFFIX).as_posix()

    async def get(self, key: str, *, datatype: Type[_T], partition_key: Optional[str] = None) -> Optional[_T]:
        """The object saved under ``key`` (in ``partition_key``) parsed as ``datatype``; None when missing."""
        _paths.check_key(key)
        data = await _read_file(self._directory(partition_key), key + SUFFIX, self._real_base)
        return None if data is None else Payload.from_json(data, datatype)

    async def store_file(self, file_name: str, value: io.BytesIO) -> str:
        """Save the bytes of ``value`` as ``file_name``, atomically, in the partition of the current time."""
        _paths.check_key(file_name, what="file name")
        directory = self._own_partition_directory(get_file_partition_key(self.partition_dateformat))
        await _write_atomic(directory, file_name, value.read(), self._real_base, self.fsync)
        return Path(directory, file_name).as_posix()

    async def get_file(self, file_name: str, *, partition_key: Optional[str] = None) -> Optional[bytes]:
        """The bytes of ``file_name`` (in ``partition_key``), or None when missing."""
        _paths.check_key(file_name, what="file name")
        data: Optional[bytes] = await _read_file(self._directory(partition_key), file_name, self._real_base)
        return data

    async def list_objects(self, wildcard: str = "*") -> List[ItemLocator]:
        """Locators of the objects matching ``wildcard`` (relative, e.g. ``2024/03/05/*``); keys without ``.json``."""
        return [
            ItemLocator(item_id=name[: -len(SUFFIX)], partition_key=partition)
            for name, partition in await self._list(_paths.check_wildcard(wildcard) + SUFFIX)
        ]

    async def list_files(self, wildcard: str = "*") -> List[ItemLocator]:
        """Like ``list_objects`` for raw files: ``wildcard`` has no implied suffix and ``item_id`` is the file name."""
        return [
            ItemLocator(item_id=name, partition_key=partition)
            for name, partition in await self._list(_paths.check_wildcard(wildcard))
        ]

    async def locate(self, key: str) -> List[ItemLocator]:
        """Locators of the object saved under ``key`` in every partition, newest partition first.

        ``key`` is literal (``*``, ``?``, ``[`` match only themselves): use this, not a wildcard
        built from a key, to find a key whose partition is unknown. With a format such as
        ``%Y/%m/%d`` "newest" is the greatest partition key.
        """
        _paths.check_key(key)
        pattern = "/".join(["*"] * self._depth() + [glob.escape(key + SUFFIX)])
        found = [ItemLocator(item_id=key, partition_key=partition) for _, partition in await self._list(pattern)]
        return sorted(found, key=lambda locator: locator.partition_key or "", reverse=True)

    async def sweep_temp_files(self, older_than_seconds: Optional[float] = None) -> List[str]:
        """Remove now the temp files of interrupted writes older than ``older_than_seconds``; the removed paths.

        The default age is ``stale_temp_seconds`` (or 10 minutes when that is 0). A storage already
        does this once when it starts on a folder; call it to sweep again, e.g. periodically.
        """
        age = self.stale_temp_seconds or DEFAULT_STALE_TEMP_SECONDS
        if older_than_seconds is not None:
            age = _sweep.check_age(older_than_seconds, "older_than_seconds")
        removed: List[str] = await _remove_stale_temp_files(self._base, age)
        return removed

    def _depth(self) -> int:
        return len(self.partition_dateformat.split("/")) if self.partition_dateformat else 0

    async def _list(self, relative_pattern: str) -> List[Tuple[str, Optional[str]]]:
        depth = self._depth()
        found: List[Tuple[str, Optional[str]]] = []
        for directory, name in await _list_matches(relative_pattern, self._real_base):
            # the partition is the last `depth` folders below the base (None for files at the top)
            relative = os.path.relpath(directory, self._real_base)
            parts = relative.split(os.sep)[-depth:] if depth and relative != "." else []
            found.append((name, "/".join(parts) if parts else None))
        return found

    async def delete(self, *keys: str, partition_key: Optional[str] = None) -> None:
        """Remove the objects saved under ``keys``; a missing one raises ``FileNotFoundError``."""
        directory = self._directory(partition_key)
        for key in keys:
            _paths.check_key(key)
        for key in keys:
            await _delete_file(directory, key + SUFFIX, self._real_base)

    async def delete_files(self, *file_names: str, partition_key: Optional[str] = None) -> None:
        """Remove raw files; a missing one raises ``FileNotFoundError``."""
        directory = self._directory(partition_key)
        for file_name in file_names:
            _paths.check_key(file_name, what="file name")
        for file_name in file_names:
            await _delete_file(directory, file_name, self._real_base)

    def partition_key(self, path: str) -> str:
        """Partition key of a stored file ``path`` (as ``store`` returns it), e.g. ``2024/03/05``; "" when none."""
        if not self.partition_dateformat:
            return ""
        directory = Path(path).parent
        for base in (self.path, Path(self._real_base)):
            try:
                relative = directory.relative_to(base).as_posix()
            except ValueError:
                continue
            return "" if relative == "." else relative
        # not below the base as given: drop the first occurrence of the base path, as 0.24 did
        return str(directory).replace(str(self.path), "", 1).lstrip("/")
