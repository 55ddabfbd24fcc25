# mypy: disable-error-code="arg-type, attr-defined, index, assignment, no-any-return"
# (mypy sees the fields of a @dataframe as row values, not columns: see the README, "Typing")
"""``@dataframe``: typed columns, coercion, errors that name columns and rows, conversions."""

from dataclasses import dataclass
from datetime import date
from typing import Optional, Union

import numpy as np
import pandas as pd
import pytest
from df_app import Reading, Values
from hopeit.dataframes import DataFrames, DataFrameValidationError, dataframe, dataframeobject
from hopeit.dataframes.dataframe import is_dataframe
from hopeit.dataobjects.payload import Payload


@dataframe
@dataclass
class Typed:
    flag: bool
    day: date
    label: Optional[str] = None
    amount: Optional[int] = None


def test_columns_are_coerced_to_declared_types() -> None:
    reading = Reading(sensor=[1, "b"], value=["1.5", 2], count=[1.0, "2"], at=["2024-01-01", None])
    df = DataFrames.df(reading)
    assert list(df.columns) == ["sensor", "value", "count", "at"]
    assert df.dtypes.astype(str).tolist() == ["object", "float64", "int64", "datetime64[ns]"]
    assert df["sensor"].tolist() == ["1", "b"]
    assert reading.value.tolist() == [1.5, 2.0]
    assert len(reading) == 2 and "rows=2" in repr(reading)


def test_optional_and_other_kinds() -> None:
    typed = Typed(flag=["true", 0, True], day=["2024-01-02", "2024-01-03", "2024-01-04"], amount=[1, None, 3])
    df = DataFrames.df(typed)
    assert df["flag"].tolist() == [True, False, True]
    assert str(df["amount"].dtype) == "Int64"
    assert df["label"].isna().all()  # a missing optional column is filled with nulls


def test_errors_name_every_bad_column_and_its_rows() -> None:
    with pytest.raises(DataFrameValidationError) as info:
        Reading(sensor=["a", None, "c"], value=["x", 1, "y"], count=[1, 2.5, 3])
    message = str(info.value)
    assert "column 'value' (float) cannot convert: 2 bad row(s) [0, 2] (values: 'x', 'y')" in message
    assert "column 'count' (int) cannot convert: 1 bad row(s) [1] (values: 2.5)" in message
    assert "column 'sensor' (str) is not optional and holds nulls: 1 bad row(s) [1]" in message
    assert [p.column for p in info.value.problems] == ["sensor", "value", "count"]
    assert isinstance(info.value, ValueError)


def test_missing_required_column_is_named() -> None:
    with pytest.raises(DataFrameValidationError, match="Reading: column 'count' is missing"):
        DataFrames.from_df(Reading, pd.DataFrame({"sensor": ["a"], "value": [1.0]}))


def test_other_errors() -> None:
    with pytest.raises(DataFrameValidationError, match=r"'flag' \(bool\) cannot convert"):
        Typed(flag=["maybe"], day=["2024-01-01"])
    with pytest.raises(DataFrameValidationError, match=r"'day' \(date\) cannot convert"):
        Typed(flag=[True], day=["not a date"])
    with pytest.raises(DataFrameValidationError, match=r"'count' \(int\) is not optional and holds nulls"):
        Reading(sensor=["a", "b"], value=[1, 2], count=[1, None])


def test_from_df_keeps_declared_columns_in_order_and_copies() -> None:
    df = pd.DataFrame({"extra": [1, 2], "count": [1, 2], "value": [0.5, 1.5], "sensor": ["a", "b"]})
    reading = DataFrames.from_df(Reading, df, value=[9.0, 8.0])
    assert list(DataFrames.df(reading).columns) == ["sensor", "value", "count", "at"]
    assert reading.value.tolist() == [9.0, 8.0]
    exact = pd.DataFrame({"value": [1.0, 2.0]})
    values = DataFrames.from_df(Values, exact)
    assert DataFrames.df(values) is not exact and DataFrames.df(values).equals(exact)
    assert DataFrames.from_dataframe(Values, reading).value.tolist() == [9.0, 8.0]


def test_rows_and_records() -> None:
    reading = Reading(sensor=["a", "b"], value=[1, -1], count=[1, 2], at=["2024-01-01T10:00:00", None])
    rows = DataFrames.to_dataobjects(reading)
    assert type(rows[0]).__name__ == "Reading_" and rows[1].value == -1.0
    assert DataFrames.to_records(reading)[0]["at"] == "2024-01-01T10:00:00"
    assert DataFrames.to_records(reading)[1]["at"] is None
    again = DataFrames.from_dataobjects(Reading, rows)
    assert again == reading
    assert reading[reading.value > 0].sensor.tolist() == ["a"]
    assert DataFrames.from_array(Values, np.array([1.0, 2.0])).value.tolist() == [1.0, 2.0]
    arr = DataFrames.from_array(Typed, np.array([[True, "2024-01-01", "x", 1]], dtype=object))
    assert DataFrames.df(arr)["label"].tolist() == ["x"]


def test_column_assignment_is_checked() -> None:
    reading = Reading(sensor=["a"], value=[1], count=[1])
    reading.value = [2]
    assert reading.value.tolist() == [2.0]
    with pytest.raises(DataFrameValidationError, match="'value'"):
        reading.value = ["nope"]


def test_decorators_are_idempotent_and_need_dataclasses() -> None:
    assert dataframe(Reading) is Reading and is_dataframe(Reading)
    with pytest.raises(TypeError, match="needs a dataclass"):
        dataframe(type("NotData", (), {}))
    with pytest.raises(TypeError, match="needs a dataclass"):
        dataframeobject(type("NotData", (), {}))

    @dataclass
    class Mixed:
        frame: Union[Reading, int]

    with pytest.raises(TypeError, match="may be Optional, not another Union"):
        dataframeobject(Mixed)


def test_row_schema_and_json_of_a_frame() -> None:
    schema = Reading.json_schema()
    assert schema["title"] == "Reading_"
    assert set(schema["properties"]) == {"sensor", "value", "count", "at"}
    reading = Reading(sensor=["a"], value=[1], count=[1])
    assert Payload.to_obj(reading) == [{"sensor": "a", "value": 1.0, "count": 1}]  # nulls left out, as for data objects


def test_unvalidated_and_schemaless_frames() -> None:
    @dataframe(validate=False, schema=False)
    @dataclass
    class Loose:
        value: float

    loose = Loose(value=["x"])
    assert DataFrames.df(loose)["value"].tolist() == ["x"]
    assert Loose.json_schema() == {}
    assert loose.event_ts() is None and len(loose.event_id()) > 0
