"""Columns of a ``@dataframe`` type: their declared kinds, and how values are coerced to them.

Each declared field is a column; its annotation says the pandas dtype it gets:

============================ ================================================
annotation                   column
============================ ================================================
``int``                      ``int64`` (``Optional[int]``: ``Int64``, nullable)
``float``                    ``float64`` (NaN is a float: always allowed)
``bool``                     ``bool`` (``Optional[bool]``: ``boolean``)
``str``                      ``object`` holding ``str`` (and None when optional)
``datetime`` / ``date``      ``datetime64[ns]`` through ``pd.to_datetime``
anything else                kept as given (``object``)
============================ ================================================

A value that does not convert is never dropped or turned into NaN silently: the rows holding such
values are collected and reported, with the column, by ``DataFrameValidationError``.
"""

import dataclasses
import typing
from datetime import date, datetime
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Tuple

import numpy as np
import pandas as pd
from hopeit.dataframes.errors import ColumnProblem, DataFrameValidationError

__all__ = ["ColumnKind", "coerce_columns", "column_kinds"]

_NONE = type(None)

#: dtype a column of each kind has once coerced (not optional / optional)
_DTYPES: Dict[Any, Tuple[str, str]] = {
    int: ("int64", "Int64"),
    float: ("float64", "float64"),
    bool: ("bool", "boolean"),
}


class ColumnKind(NamedTuple):
    """A declared column: its name, base type (``Optional`` removed) and whether it may hold nulls."""

    name: str
    kind: Any
    optional: bool


def column_kinds(cls: type) -> List[ColumnKind]:
    """The columns declared by the dataclass ``cls``, in field order."""
    hints = typing.get_type_hints(cls)
    result = []
    for item in dataclasses.fields(cls):
        annotation = hints.get(item.name, item.type)
        optional = False
        if typing.get_origin(annotation) is typing.Union and _NONE in typing.get_args(annotation):
            rest = [a for a in typing.get_args(annotation) if a is not _NONE]
            annotation, optional = (rest[0] if len(rest) == 1 else Any), True
        result.append(ColumnKind(item.name, annotation, optional))
    return result


def _bad(mask: "pd.Series[bool]", original: "pd.Series[Any]") -> Tuple[List[int], List[Any]]:
    positions = np.flatnonzero(mask.to_numpy())
    values = [original.iloc[int(p)] for p in positions[:5]]
    return [int(p) for p in positions], [v.item() if isinstance(v, np.generic) else v for v in values]


def _numeric(series: "pd.Series[Any]", column: ColumnKind) -> Tuple["pd.Series[Any]", Optional[ColumnProblem]]:
    converted = pd.to_numeric(series, errors="coerce")
    failed = converted.isna() & series.notna()
    if column.kind is int:
        failed |= converted.notna() & (converted % 1 != 0)
    if failed.any():
        rows, values = _bad(failed, series)
        return series, ColumnProblem(column.name, f"({column.kind.__name__}) cannot convert", rows, values)
    if column.kind is int and not column.optional and converted.isna().any():
        rows, values = _bad(converted.isna(), series)
        return series, ColumnProblem(column.name, "(int) is not optional and holds nulls", rows, values)
    return converted.astype(_DTYPES[column.kind][column.optional]), None


def _to_bool(value: Any) -> Any:
    """``value`` as a bool when it is one (or 0/1, "true"/"false"), else ``_NOT_BOOL``."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return _NOT_BOOL


_NOT_BOOL = object()


def _booleans(series: "pd.Series[Any]", column: ColumnKind) -> Tuple["pd.Series[Any]", Optional[ColumnProblem]]:
    nulls = series.isna()
    mapped = series.map(_to_bool)
    failed = mapped.map(lambda v: v is _NOT_BOOL) & ~nulls
    if not column.optional:
        failed |= nulls
    if failed.any():
        rows, values = _bad(failed, series)
        return series, ColumnProblem(column.name, "(bool) cannot convert", rows, values)
    return mapped.where(~nulls, None).astype(_DTYPES[bool][column.optional]), None


def _strings(series: "pd.Series[Any]", column: ColumnKind) -> Tuple["pd.Series[Any]", Optional[ColumnProblem]]:
    nulls = series.isna()
    if nulls.any() and not column.optional:
        rows, values = _bad(nulls, series)
        return series, ColumnProblem(column.name, "(str) is not optional and holds nulls", rows, values)
    converted = series.map(lambda v: None if v is None or (isinstance(v, float) and v != v) else str(v))
    return converted.astype(object), None


def _datetimes(series: "pd.Series[Any]", column: ColumnKind) -> Tuple["pd.Series[Any]", Optional[ColumnProblem]]:
    converted = pd.to_datetime(series, errors="coerce")
    failed = converted.isna() & series.notna()
    if not column.optional:
        failed |= series.isna()
    if failed.any():
        rows, values = _bad(failed, series)
        return series, ColumnProblem(column.name, f"({column.kind.__name__}) cannot convert", rows, values)
    return converted, None


def _already(series: "pd.Series[Any]", column: ColumnKind) -> bool:
    """True when the column already has the dtype coercion would give it (nothing to check or copy)."""
    dtypes = _DTYPES.get(column.kind)
    if dtypes is not None:
        return str(series.dtype) == dtypes[column.optional] or (column.optional and str(series.dtype) == dtypes[0])
    if column.kind in (datetime, date):
        return str(series.dtype).startswith("datetime64") and (column.optional or not series.isna().any())
    return False


def coerce_series(series: "pd.Series[Any]", column: ColumnKind) -> Tuple["pd.Series[Any]", Optional[ColumnProblem]]:
    """``series`` converted to the dtype of ``column``, or the problem with the rows that do not convert."""
    if _already(series, column):
        return series, None
    if column.kind in (int, float):
        return _numeric(series, column)
    if column.kind is bool:
        return _booleans(series, column)
    if column.kind is str:
        return _strings(series, column)
    if column.kind in (datetime, date):
        return _datetimes(series, column)
    return series, None


def coerce_columns(
    type_name: str, columns: List[ColumnKind], data: Mapping[str, Any], *, validate: bool = True
) -> Dict[str, Any]:
    """The declared columns of ``data`` (a DataFrame or a mapping of column values), coerced.

    Missing optional columns are filled with nulls; undeclared columns are left out.

    :raises DataFrameValidationError: a required column is missing or holds values that do not
        convert; every bad column is named, with its bad rows (positions) and values.
    """
    problems: List[ColumnProblem] = []
    result: Dict[str, Any] = {}
    length = next((len(data[c.name]) for c in columns if c.name in data and data[c.name] is not None), 0)
    for column in columns:
        values = data[column.name] if column.name in data else None
        if values is None:
            if not column.optional:
                problems.append(ColumnProblem(column.name, "is missing"))
            else:
                result[column.name] = pd.Series([None] * length, dtype=_DTYPES.get(column.kind, ("", "object"))[1])
            continue
        series = values if isinstance(values, pd.Series) else pd.Series(values)
        if validate:
            series, problem = coerce_series(series, column)
            if problem is not None:
                problems.append(problem)
        result[column.name] = series
    if problems:
        raise DataFrameValidationError(type_name, problems)
    return result
