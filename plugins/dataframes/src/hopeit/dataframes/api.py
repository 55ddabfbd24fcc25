"""``DataFrames``: the static API to build, convert, save and load ``@dataframe`` and ``@dataframeobject`` values."""

import dataclasses
from typing import Any, Dict, Iterable, List, Type, TypeVar

import numpy as np
import pandas as pd
from hopeit.dataframes.dataframe import DataFrameMixin, is_dataframe
from hopeit.dataframes.dataframeobject import is_dataframeobject
from hopeit.dataframes.serialization.dataset import Dataset
from hopeit.dataframes.serialization.storage import current_storage
from hopeit.dataobjects.payload import Payload

__all__ = ["DataFrames"]

_T = TypeVar("_T")


def _frame_of(obj: Any) -> pd.DataFrame:
    if not isinstance(obj, DataFrameMixin):
        raise TypeError(f"{type(obj).__qualname__} is not a @dataframe")
    return obj._DataFrameMixin__df


class DataFrames:
    """Static helpers for ``@dataframe`` and ``@dataframeobject`` types."""

    @staticmethod
    async def serialize(obj: Any) -> Any:
        """What travels instead of ``obj``: its frames saved, ``Dataset`` pointers in their place.

        A ``@dataframeobject`` becomes its serialized type, a ``@dataframe`` its ``Dataset``.
        """
        if is_dataframeobject(obj):
            return await obj._serialize()
        if is_dataframe(obj):
            return await current_storage().save(obj)
        raise TypeError(f"{type(obj).__qualname__} is neither a @dataframe nor a @dataframeobject")

    @staticmethod
    async def deserialize(datatype: Type[_T], dataobject: Any) -> _T:
        """The inverse of ``serialize``: ``datatype`` with its datasets loaded."""
        if is_dataframeobject(datatype):
            return await datatype._deserialize(dataobject)  # type: ignore[attr-defined,no-any-return]
        if is_dataframe(datatype) and isinstance(dataobject, Dataset):
            return await current_storage().load(dataobject, datatype)  # type: ignore[no-any-return]
        raise TypeError(f"cannot deserialize {type(dataobject).__qualname__} as {datatype.__qualname__}")

    @staticmethod
    def serialized_type(datatype: type) -> type:
        """The type ``datatype`` travels as: its serialized type, or ``Dataset`` for a ``@dataframe``."""
        if is_dataframeobject(datatype):
            found: type = datatype.__dataframeobject__.serialized_type  # type: ignore[attr-defined]
            return found
        if is_dataframe(datatype):
            return Dataset
        raise TypeError(f"{datatype.__qualname__} is neither a @dataframe nor a @dataframeobject")

    @staticmethod
    def row_type(datatype: type) -> type:
        """The row type ``<Class>_`` of a ``@dataframe``: one row, as a ``@dataobject``."""
        if not is_dataframe(datatype):
            raise TypeError(f"{datatype.__qualname__} is not a @dataframe")
        found: type = datatype.__dataframe__.serialized_type  # type: ignore[attr-defined]
        return found

    @staticmethod
    def from_df(datatype: Type[_T], df: pd.DataFrame, **series: Any) -> _T:
        """``datatype`` built from the declared columns of ``df``, plus ``series`` added or replaced.

        ``df`` is copied unless the type is ``unsafe``.
        """
        unsafe = datatype.__data_object__["unsafe"]  # type: ignore[attr-defined]
        return datatype._from_df(df, unsafe=unsafe, **series)  # type: ignore[attr-defined,no-any-return]

    @staticmethod
    def from_dataframe(datatype: Type[_T], obj: Any, **series: Any) -> _T:
        """Another ``@dataframe`` type built from the columns of ``obj`` (plus ``series``)."""
        return DataFrames.from_df(datatype, _frame_of(obj), **series)

    @staticmethod
    def from_dataobjects(datatype: Type[_T], dataobjects: Iterable[Any]) -> _T:
        """``datatype`` with one row per data object (each one's fields, e.g. the row type's)."""
        rows = [{f.name: getattr(item, f.name) for f in dataclasses.fields(item)} for item in dataobjects]
        return DataFrames.from_records(datatype, rows)

    @staticmethod
    def from_records(datatype: Type[_T], records: List[Dict[str, Any]]) -> _T:
        """``datatype`` with one row per dict of ``records`` (plain JSON rows), columns coerced and checked."""
        columns = datatype.__dataframe__.columns  # type: ignore[attr-defined]
        data = {name: [row.get(name) for row in records] for name in columns if any(name in row for row in records)}
        return datatype(**data)

    @staticmethod
    def to_dataobjects(obj: Any) -> List[Any]:
        """One row object (the type's row type) per row of ``obj``."""
        row_type = type(obj).__dataframe__.serialized_type
        return [Payload.from_obj(record, row_type) for record in obj.to_records()]

    @staticmethod
    def to_records(obj: Any) -> List[Dict[str, Any]]:
        """The rows of ``obj`` as JSON-ready dicts."""
        records: List[Dict[str, Any]] = obj.to_records()
        return records

    @staticmethod
    def from_array(datatype: Type[_T], array: np.ndarray) -> _T:  # type: ignore[type-arg]
        """``datatype`` from a 2-D array (or 1-D for a single column), columns in declared order."""
        columns = datatype.__dataframe__.columns  # type: ignore[attr-defined]
        matrix = array.reshape(-1, 1) if array.ndim == 1 else array
        return datatype(**{name: matrix[:, i] for i, name in enumerate(columns)})

    @staticmethod
    def df(obj: Any) -> pd.DataFrame:
        """The pandas DataFrame inside ``obj`` (not a copy)."""
        return _frame_of(obj)
