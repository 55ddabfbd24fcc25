"""``DatasetObjectStorage``: datasets as parquet in any backend of the engine's storage protocol.

On fs-storage (``fs``) each dataset is a ``.parquet`` file, partitioned by the time it was saved:
written straight into its place as fs-storage lays files out, read back with ``get_file``. Any
other backend (``memory``, ``redis``...) holds it as a ``@dataobject`` with the parquet bytes in base64.
Writing and parsing parquet run in a worker thread: the event loop keeps serving meanwhile.

The storage in use is set once by the plugin's SETUP event (``setup.dataframes``) or by
``configure`` in tests and scripts; ``current_storage`` hands it to the serialization code.
"""

import asyncio
import base64
import os
import uuid
from functools import partial
from typing import Any, Dict, Optional, Type

from hopeit.dataframes.dataframe import DataFrameMixin, is_dataframe
from hopeit.dataframes.errors import DatasetNotFoundError
from hopeit.dataframes.serialization.dataset import Dataset, find_protocol_impl
from hopeit.dataframes.serialization.parquet import read_parquet, write_parquet, write_parquet_file
from hopeit.dataobjects import dataclass, dataobject
from hopeit.fs_storage import FileStorage
from hopeit.fs_storage.partition import get_file_partition_key
from hopeit.storage import ObjectStorage, create_storage

__all__ = ["DatasetObjectStorage", "ParquetObject", "configure", "current_storage", "type_name"]


@dataobject
@dataclass
class ParquetObject:
    """A dataset kept in a backend that stores data objects only: the parquet bytes in base64."""

    parquet_base64: str


def type_name(datatype: type) -> str:
    """``<module>.<qualname>``: how a ``Dataset`` names the type of its data."""
    return f"{datatype.__module__}.{datatype.__qualname__}"


class DatasetObjectStorage:
    """Saves dataframes as parquet in a storage backend and loads them back from their ``Dataset``."""

    protocol = "hopeit.dataframes.serialization.storage.DatasetObjectStorage"

    def __init__(
        self,
        *,
        location: str,
        partition_dateformat: Optional[str] = None,
        storage: str = "fs",
        storage_settings: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> None:
        # dataset files are not fsynced unless asked (as 0.24, pandas and pyarrow write them): an fsync of
        # a large file costs more than the rest of saving it, and a file lost in a crash is a clear load
        # error, never wrong data (files are renamed into place whole)
        defaults: Dict[str, Any] = {"fsync": False} if storage == "fs" else {}
        settings = {"path": location, "partition_dateformat": partition_dateformat, **defaults,
                    **(storage_settings or {})}
        self.backend: ObjectStorage = create_storage(storage, settings)
        self._files = isinstance(self.backend, FileStorage)

    async def save(self, dataframe: DataFrameMixin) -> Dataset:
        """Write ``dataframe`` as one parquet file (built whole in memory first); its ``Dataset`` pointer."""
        datatype = type(dataframe)
        key = f"{datatype.__qualname__.lower()}_{uuid.uuid4()}.parquet"
        df = dataframe._DataFrameMixin__df
        loop = asyncio.get_running_loop()
        if isinstance(self.backend, FileStorage):  # parquet written straight into its file
            backend = self.backend
            directory = os.path.join(backend.path, get_file_partition_key(backend.partition_dateformat))
            location = await loop.run_in_executor(
                None, partial(write_parquet_file, df, directory, key, fsync=backend.fsync)
            )
            partition_key = backend.partition_key(location)
        else:
            data = await loop.run_in_executor(None, write_parquet, df)
            await self.backend.store(key, ParquetObject(base64.b64encode(data).decode()))
            partition_key = ""
        return Dataset(protocol=self.protocol, partition_key=partition_key, key=key, datatype=type_name(datatype))

    async def load(self, dataset: Dataset, datatype: Optional[Type[Any]] = None) -> Any:
        """The dataframe ``dataset`` points at, as ``datatype`` (its columns coerced and checked).

        Without ``datatype`` the class named in the pointer is imported: only for pointers this
        application made itself.

        :raises DatasetNotFoundError: nothing is saved there (any more).
        :raises DataFrameValidationError: the saved columns do not fit ``datatype``.
        :raises ValueError: the pointer is for another type, or the file is not parquet.
        """
        if datatype is None:
            datatype = find_protocol_impl(dataset.datatype)
        elif dataset.datatype != type_name(datatype):
            raise ValueError(f"dataset {dataset.key!r} holds {dataset.datatype}, expected {type_name(datatype)}")
        if not is_dataframe(datatype):
            raise TypeError(f"{type_name(datatype)} is not a @dataframe")
        holder = [await self._read(dataset)]
        if holder[0] is None:
            partition = f" in partition {dataset.partition_key!r}" if dataset.partition_key else ""
            raise DatasetNotFoundError(f"dataset {dataset.key!r}{partition} not found: it was removed or never saved")
        frame = await asyncio.get_running_loop().run_in_executor(None, read_parquet, holder)
        return datatype._from_df(frame, unsafe=True)  # type: ignore[attr-defined]

    async def _read(self, dataset: Dataset) -> Any:
        partition_key = dataset.partition_key or None
        if self._files:
            return await self.backend.get_file(dataset.key, partition_key=partition_key)  # type: ignore[attr-defined]
        found = await self.backend.get(dataset.key, datatype=ParquetObject, partition_key=partition_key)
        return None if found is None else base64.b64decode(found.parquet_base64)

    async def delete(self, dataset: Dataset) -> None:
        """Remove the saved data of ``dataset`` (used to leave nothing behind when a save fails half-way)."""
        partition_key = dataset.partition_key or None
        if self._files:
            await self.backend.delete_files(dataset.key, partition_key=partition_key)  # type: ignore[attr-defined]
        else:
            await self.backend.delete(dataset.key, partition_key=partition_key)


_current: Optional[Any] = None


def configure(storage: Any) -> None:
    """Make ``storage`` (a ``DatasetObjectStorage``, or any object with async ``save``/``load``) the one in use."""
    global _current
    _current = storage


def current_storage() -> Any:
    """The dataset storage in use.

    :raises RuntimeError: the plugin is not set up (its ``setup.dataframes`` event has not run).
    """
    if _current is None:
        raise RuntimeError(
            "hopeit.dataframes is not set up: add \"dataframes\" to the server config \"plugins\" (or its "
            "plugin-config.json to --config-files) so setup.dataframes runs, or call "
            "hopeit.dataframes.setup.dataframes.setup_serialization(...) in tests"
        )
    return _current
