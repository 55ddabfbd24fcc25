"""How dataframes are saved and found again: ``Dataset`` pointers, parquet files, storage backends.

- ``hopeit.dataframes.serialization.dataset``: the ``Dataset`` pointer and the ``DatasetSerialization`` settings;
- ``hopeit.dataframes.serialization.parquet``: a frame to parquet bytes and back (pyarrow);
- ``hopeit.dataframes.serialization.storage``: ``DatasetObjectStorage``, datasets in any storage
  backend of the engine's storage protocol (``fs`` by default), and the storage in use;
- ``hopeit.dataframes.serialization.files``: ``DatasetFileStorage``, the 0.24 protocol name, on fs-storage.
"""
