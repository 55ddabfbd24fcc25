"""``DatasetFileStorage``: the dataset protocol of hopeit.dataframes 0.24, on fs-storage.

Configs written for 0.24 name ``hopeit.dataframes.serialization.files.DatasetFileStorage`` in
``dataset_serialization.protocol``; it is ``DatasetObjectStorage`` on the ``fs`` backend.
"""

from typing import Any, Optional

from hopeit.dataframes.serialization.storage import DatasetObjectStorage

__all__ = ["DatasetFileStorage"]


class DatasetFileStorage(DatasetObjectStorage):
    """Datasets as parquet files under ``location``, partitioned by ``partition_dateformat``."""

    protocol = "hopeit.dataframes.serialization.files.DatasetFileStorage"

    def __init__(self, *, location: str, partition_dateformat: Optional[str] = None, **kwargs: Any) -> None:
        kwargs.pop("storage", None)
        super().__init__(location=location, partition_dateformat=partition_dateformat, storage="fs", **kwargs)
