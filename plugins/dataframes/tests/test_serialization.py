# mypy: disable-error-code="arg-type, attr-defined, index, assignment, no-any-return"
# (mypy sees the fields of a @dataframe as row values, not columns: see the README, "Typing")
"""Datasets: saved as parquet through the storage protocol, loaded back, and the ways a load fails."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import parquet_files, readings_frame
from df_app import Batch, Reading, Values
from hopeit.dataframes import DataFrames, DataFrameValidationError, Dataset, DatasetNotFoundError, dataframe
from hopeit.dataframes.serialization import storage as dataset_storage
from hopeit.dataframes.serialization.dataset import find_protocol_impl
from hopeit.dataframes.serialization.files import DatasetFileStorage
from hopeit.dataframes.serialization.parquet import write_parquet
from hopeit.dataframes.serialization.storage import DatasetObjectStorage


async def test_dataframeobject_round_trip_through_parquet_files(datasets: Path) -> None:
    batch = Batch(batch_id="b1", readings=DataFrames.from_df(Reading, readings_frame()))
    serialized = await DataFrames.serialize(batch)
    assert type(serialized).__name__ == "Batch_" and serialized.rejected is None
    pointer = serialized.readings
    assert isinstance(pointer, Dataset)
    assert pointer.protocol == "hopeit.dataframes.serialization.files.DatasetFileStorage"
    assert pointer.datatype == "df_app.Reading" and pointer.key.startswith("reading_")
    assert [p.name for p in parquet_files(datasets)] == [pointer.key]
    assert (datasets / pointer.partition_key / pointer.key).exists()
    back = await DataFrames.deserialize(Batch, serialized)
    assert back.batch_id == "b1" and back.readings == batch.readings


async def test_dataframe_round_trip_and_type_checks(datasets: Path) -> None:
    values = Values(value=[1, 2, 3])
    pointer = await DataFrames.serialize(values)
    assert await DataFrames.deserialize(Values, pointer) == values
    assert await dataset_storage.current_storage().load(pointer) == values  # type named by the pointer
    with pytest.raises(ValueError, match=r"holds df_app\.Values, expected df_app\.Reading"):
        await DataFrames.deserialize(Reading, pointer)
    with pytest.raises(TypeError, match="neither a @dataframe nor a @dataframeobject"):
        await DataFrames.serialize("text")
    with pytest.raises(TypeError, match="cannot deserialize"):
        await DataFrames.deserialize(Values, "text")
    with pytest.raises(TypeError, match="is not a @dataframe"):
        DataFrames.df("text")


async def test_a_pointer_to_a_gone_file(datasets: Path) -> None:
    pointer = await DataFrames.serialize(Values(value=[1.0]))
    for path in parquet_files(datasets):
        path.unlink()
    with pytest.raises(DatasetNotFoundError, match=f"dataset '{pointer.key}' in partition .* not found"):
        await DataFrames.deserialize(Values, pointer)


async def test_a_parquet_whose_schema_does_not_match(datasets: Path) -> None:
    pointer = await DataFrames.serialize(Values(value=[1.0]))
    wrong = pd.DataFrame({"value": ["one", "two"]})
    (datasets / pointer.partition_key / pointer.key).write_bytes(write_parquet(wrong).to_pybytes())
    with pytest.raises(DataFrameValidationError, match=r"column 'value' \(float\) cannot convert: 2 bad row"):
        await DataFrames.deserialize(Values, pointer)
    (datasets / pointer.partition_key / pointer.key).write_bytes(write_parquet(pd.DataFrame({"x": [1]})).to_pybytes())
    with pytest.raises(DataFrameValidationError, match="column 'value' is missing"):
        await DataFrames.deserialize(Values, pointer)
    (datasets / pointer.partition_key / pointer.key).write_bytes(b"not parquet")
    with pytest.raises(ValueError):
        await DataFrames.deserialize(Values, pointer)


async def test_nothing_half_written_when_a_save_fails(datasets: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    storage = dataset_storage.current_storage()
    original = storage.save
    calls = []

    async def failing_second(frame: Any) -> Dataset:
        calls.append(frame)
        if len(calls) == 2:
            raise OSError("disk full")
        return await original(frame)

    monkeypatch.setattr(storage, "save", failing_second)
    frame = DataFrames.from_df(Reading, readings_frame())
    with pytest.raises(OSError, match="disk full"):
        await DataFrames.serialize(Batch(batch_id="b", readings=frame, rejected=frame))
    assert len(calls) == 2 and parquet_files(datasets) == []


async def test_any_storage_backend_holds_datasets(tmp_path: Path) -> None:
    storage = DatasetObjectStorage(location=str(tmp_path), storage="memory", storage_settings={"name": "df-test"})
    dataset_storage.configure(storage)
    try:
        values = Values(value=[0.5, 1.5])
        pointer = await DataFrames.serialize(values)
        assert pointer.protocol.endswith("storage.DatasetObjectStorage") and pointer.partition_key == ""
        assert await DataFrames.deserialize(Values, pointer) == values
        await storage.delete(pointer)
        with pytest.raises(DatasetNotFoundError):
            await DataFrames.deserialize(Values, pointer)
    finally:
        dataset_storage.configure(None)


async def test_fs_storage_delete_and_settings(tmp_path: Path) -> None:
    storage = DatasetFileStorage(location=str(tmp_path), partition_dateformat=None, storage="ignored")
    pointer = await storage.save(Values(value=[1.0]))
    assert pointer.partition_key == "" and (tmp_path / pointer.key).exists()
    await storage.delete(pointer)
    assert not (tmp_path / pointer.key).exists()


def test_not_set_up_and_bad_protocol() -> None:
    with pytest.raises(RuntimeError, match=r"hopeit\.dataframes is not set up"):
        dataset_storage.current_storage()
    with pytest.raises(ImportError, match=r"'nowhere\.Class' cannot be imported"):
        find_protocol_impl("nowhere.Class")


async def test_a_failed_write_leaves_no_file(tmp_path: Path) -> None:
    @dataframe(validate=False)
    @dataclass
    class Anything:
        value: Any

    storage = DatasetFileStorage(location=str(tmp_path))
    with pytest.raises((TypeError, ValueError)):  # pyarrow cannot write a column mixing ints and dicts
        await storage.save(Anything(value=[1, {"a": object()}]))
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_dataset_files_are_not_fsynced_unless_asked(tmp_path: Path) -> None:
    """As 0.24, pandas and pyarrow write parquet; ``{"fsync": true}`` makes each save durable."""
    assert DatasetObjectStorage(location=str(tmp_path)).backend.fsync is False  # type: ignore[attr-defined]
    durable = DatasetObjectStorage(location=str(tmp_path), storage_settings={"fsync": True})
    assert durable.backend.fsync is True  # type: ignore[attr-defined]
    assert DatasetFileStorage(location=str(tmp_path)).backend.fsync is False  # type: ignore[attr-defined]
