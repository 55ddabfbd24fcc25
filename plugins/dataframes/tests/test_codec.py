# mypy: disable-error-code="arg-type, attr-defined, index, assignment, no-any-return"
# (mypy sees the fields of a @dataframe as row values, not columns: see the README, "Typing")
"""The payload codec the SETUP event registers, and how dataframe types parse, write and document themselves."""

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import readings_frame
from df_app import Batch, Reading, Values
from hopeit.dataframes import DataFrames, Dataset, dataframeobject
from hopeit.dataframes.codec import DataFramesCodec
from hopeit.dataobjects import dataobject
from hopeit.dataobjects.adapters import adapter
from hopeit.dataobjects.payload import Payload

ROWS = b'[{"sensor": "a", "value": 1, "count": 1}, {"sensor": "b", "value": 2.5, "count": 2}]'


@dataframeobject
@dataobject(event_id="batch_id", event_ts="at")
@dataclass
class Timed:
    batch_id: str
    at: datetime
    values: Values


@dataobject(unsafe=True)
@dataclass
class OneReading:
    reading: Reading


def test_stored_types() -> None:
    codec = DataFramesCodec()
    assert codec.stored_type(Batch) is Batch.__dataframeobject__.serialized_type
    assert codec.stored_type(Reading) is Dataset
    assert codec.stored_type(Dataset) is None and codec.stored_type(str) is None


async def test_request_bodies_rows_or_pointers(datasets: Path) -> None:
    codec = DataFramesCodec()
    rows = codec.parse_request(ROWS, Reading)
    reading = await codec.decode(rows, Reading)
    assert reading.value.tolist() == [1.0, 2.5]
    pointer = await codec.encode(reading)
    assert isinstance(pointer, Dataset)
    parsed = codec.parse_request(Payload.to_json_bytes(pointer), Reading)
    assert await codec.decode(parsed, Reading) == reading
    batch = codec.parse_request(b'{"batch_id": "b", "readings": ' + ROWS + b"}", Batch)
    assert (await codec.decode(batch, Batch)).readings == reading
    with pytest.raises(ValueError, match=r"\[0\].count"):
        codec.parse_request(b'[{"sensor": "a", "value": 1}]', Reading)
    with pytest.raises(ValueError, match="batch_id"):
        codec.parse_request(b'{"readings": []}', Batch)


def test_dataframeobjects_write_rows_and_refuse_to_json() -> None:
    batch = Batch(batch_id="b", readings=DataFrames.from_df(Reading, readings_frame(2)))
    written = Payload.to_obj(batch)
    assert written["batch_id"] == "b" and len(written["readings"]) == 2 and "rejected" not in written
    with pytest.raises(RuntimeError, match=r"return `await DataFrames\.serialize"):
        batch.to_json()
    assert set(Batch.json_schema()["properties"]) == {"batch_id", "readings", "rejected"}
    serialized = Batch.__dataframeobject__.serialized_type(batch_id="s", readings=[])
    assert adapter(Batch).dump_python(serialized, mode="json", exclude_none=True) == {"batch_id": "s", "readings": []}


def test_event_id_and_time_from_the_class() -> None:
    at = datetime(2024, 1, 2, tzinfo=timezone.utc)
    timed = Timed(batch_id="t1", at=at, values=Values(value=[1.0]))
    assert timed.event_id() == "t1" and timed.event_ts() == at
    assert len(Batch(batch_id="b", readings=Reading(sensor=[], value=[], count=[])).event_id()) == 36


def test_a_dataframe_field_of_a_plain_data_object_is_one_row() -> None:
    one = Payload.from_json(b'{"reading": {"sensor": "a", "value": 1, "count": 2}}', OneReading)
    assert type(one.reading).__name__ == "Reading_" and one.reading.count == 2
    assert Payload.to_obj(one) == {"reading": {"sensor": "a", "value": 1.0, "count": 2}}
    with pytest.raises(ValueError, match="holds one row"):
        Payload.from_json(b'{"reading": [{"sensor": "a", "value": 1, "count": 2}]}', OneReading)


def test_serialized_and_row_types() -> None:
    assert DataFrames.serialized_type(Batch) is Batch.__dataframeobject__.serialized_type
    assert DataFrames.serialized_type(Reading) is Dataset
    assert DataFrames.row_type(Reading).__name__ == "Reading_"
    with pytest.raises(TypeError, match="neither"):
        DataFrames.serialized_type(str)
    with pytest.raises(TypeError, match="is not a @dataframe"):
        DataFrames.row_type(Batch)
