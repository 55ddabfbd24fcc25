"""A pandas DataFrame as parquet bytes and back, through pyarrow.

Writing builds the whole file before it is visible (in memory, or in a hidden temporary file renamed
when complete), so a failure leaves nothing half-written in the storage; reading frees the bytes and
the arrow table column by column as the DataFrame is built, so the peak stays near the size of the
frame, not three copies of it.
"""

import contextlib
import os
import uuid
from typing import Any, List

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["read_parquet", "write_parquet", "write_parquet_file"]


def write_parquet(df: pd.DataFrame, **options: Any) -> pa.Buffer:
    """Parquet bytes of ``df`` (its index left out), in a pyarrow buffer."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **options)
    del table
    return sink.getvalue()


def write_parquet_file(df: pd.DataFrame, directory: str, name: str, *, fsync: bool = True) -> str:
    """Write ``df`` as parquet straight into ``directory/name``, atomically; returns the path.

    The file is written under a hidden temporary name (``.<uuid>.tmp``: fs-storage lists no hidden
    file and sweeps stale ``.tmp`` files) and renamed when complete, so readers see the whole file
    or none; on failure the temporary file is removed. No copy of the data is made in memory.
    """
    os.makedirs(directory, exist_ok=True)
    temp = os.path.join(directory, f".{uuid.uuid4().hex}.tmp")
    try:
        with open(temp, "xb") as file:
            pq.write_table(pa.Table.from_pandas(df, preserve_index=False), file)
            file.flush()
            if fsync:
                os.fsync(file.fileno())
        path = os.path.join(directory, name)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return path


def read_parquet(holder: List[Any]) -> pd.DataFrame:
    """The DataFrame in the parquet bytes ``holder[0]`` (``bytes`` or a pyarrow buffer).

    The bytes come in a list that this function empties: once the arrow table is read nobody holds
    them any more, and the table is freed column by column as the DataFrame is built.
    """
    table = pq.read_table(pa.BufferReader(holder.pop()))
    return table.to_pandas(self_destruct=True, split_blocks=True)
