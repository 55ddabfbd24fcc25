"""``@dataframe``: a dataclass whose fields are the typed columns of a pandas DataFrame.

::

    @dataframe
    @dataclass
    class Iris:
        sepal_length: float
        variety: int

    iris = Iris(sepal_length=[5.1, 4.9], variety=[0, 1])   # columns coerced to float64 / int64
    iris.sepal_length                                       # the pandas Series
    DataFrames.df(iris)                                     # the DataFrame, declared columns in order

Each ``@dataframe`` class gets a *row type*, ``<Class>_``: a ``@dataobject`` with the same fields,
one row of the frame. It is what a ``@dataframe`` field of a plain data object parses as, and what
the class is documented as in OpenAPI.
"""

import dataclasses
from functools import partial
from typing import Any, ClassVar, Dict, List, Optional, Type, TypeVar

import pandas as pd
from hopeit.dataframes.coercion import ColumnKind, coerce_columns, coerce_series, column_kinds
from hopeit.dataframes.errors import DataFrameValidationError
from hopeit.dataframes.serialization.dataset import Dataset
from hopeit.dataobjects import StreamEventParams, dataobject
from hopeit.dataobjects.ids import new_id
from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

__all__ = ["DataFrameMetadata", "DataFrameMixin", "dataframe", "is_dataframe"]

_T = TypeVar("_T")


@dataclasses.dataclass
class DataFrameMetadata:
    """What ``@dataframe`` knows of a class: its columns in order, their fields and kinds, its row type."""

    columns: List[str]
    fields: Dict[str, "dataclasses.Field[Any]"]
    kinds: List[ColumnKind]
    serialized_type: type
    validate: bool = True


def is_dataframe(datatype: Any) -> bool:
    """True for ``@dataframe`` classes (and their instances)."""
    return hasattr(datatype, "__dataframe__")


class DataFrameMixin:
    """Behaviour of ``@dataframe`` classes: a pandas DataFrame behind typed column attributes."""

    __dataframe__: ClassVar[DataFrameMetadata]
    __data_object__: ClassVar[Dict[str, bool]]
    __stream_event__: ClassVar[StreamEventParams]
    _DataFrameMixin__df: pd.DataFrame

    def __init__(self, **series: Any) -> None:
        """Build from column values (Series, arrays, lists), coerced to the declared types unless ``validate=False``."""
        meta = type(self).__dataframe__
        columns = coerce_columns(type(self).__qualname__, meta.kinds, series, validate=meta.validate)
        object.__setattr__(self, "_DataFrameMixin__df", pd.DataFrame(columns, columns=meta.columns))

    @classmethod
    def _from_df(cls: Type[_T], df: pd.DataFrame, *, unsafe: bool = False, **series: Any) -> _T:
        """An instance holding ``df``'s declared columns (and ``series`` added or replacing some).

        ``df`` is copied unless ``unsafe``; when it already has exactly the declared columns with
        their dtypes it is used as it is (no column is converted or copied).
        """
        meta: DataFrameMetadata = cls.__dataframe__  # type: ignore[attr-defined]
        if not series and list(df.columns) == meta.columns:
            frame = df if unsafe else df.copy()
            if meta.validate:
                data = coerce_columns(cls.__qualname__, meta.kinds, frame)
                if any(data[name] is not frame[name] for name in meta.columns):
                    frame = pd.DataFrame(data, columns=meta.columns)
        else:
            merged = {name: df[name] for name in meta.columns if name in df.columns}
            merged.update(series)
            data = coerce_columns(cls.__qualname__, meta.kinds, merged, validate=meta.validate)
            frame = pd.DataFrame(data, columns=meta.columns, copy=not unsafe)
        obj = object.__new__(cls)
        object.__setattr__(obj, "_DataFrameMixin__df", frame)
        return obj

    def __getitem__(self, key: Any) -> Any:
        """A new instance of the same type holding ``df[key]`` (rows selected by a mask, a slice...)."""
        return type(self)._from_df(self._DataFrameMixin__df[key])

    def __len__(self) -> int:
        """Number of rows."""
        return len(self._DataFrameMixin__df)

    def __eq__(self, other: object) -> bool:
        """Same type and equal frames."""
        return type(other) is type(self) and self._DataFrameMixin__df.equals(other._DataFrameMixin__df)  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]  # mutable, like the frame it holds

    def __repr__(self) -> str:
        """Class name, shape and columns."""
        df = self._DataFrameMixin__df
        return f"{type(self).__qualname__}(rows={len(df)}, columns={list(df.columns)})"

    def event_id(self) -> str:
        """Id of the stream message carrying it: a new one each time (a frame has no id field)."""
        return new_id()

    def event_ts(self) -> None:
        """Event time of the stream message carrying it: none."""
        return None

    def to_records(self) -> List[Dict[str, Any]]:
        """The rows as plain dicts, JSON ready (datetimes as ISO text, missing values as None)."""
        return _records(self._DataFrameMixin__df)

    @classmethod
    def json_schema(cls, *args: Any, **kwargs: Any) -> Dict[str, Any]:
        """JSON schema of a row (the row type's), as 0.24 returned it; ``{}`` when ``schema=False``."""
        if not cls.__data_object__["schema"]:
            return {}
        from hopeit.dataobjects.schema import json_schema

        return json_schema(cls.__dataframe__.serialized_type)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        """Parsed as one row (as a field of a plain data object, like 0.24); written as its rows.

        Documented as what it may be sent as: a row, a ``Dataset`` pointer or a list of rows (the last
        two as a payload of its own).
        """
        row = handler.generate_schema(cls.__dataframe__.serialized_type)
        documented = core_schema.union_schema(
            [row, handler.generate_schema(Dataset), core_schema.list_schema(row)], mode="left_to_right"
        )
        return core_schema.no_info_after_validator_function(
            partial(_one_row, cls.__dataframe__.serialized_type),
            documented,
            serialization=core_schema.plain_serializer_function_ser_schema(_rows_or_row, return_schema=documented),
        )


def _one_row(row_type: type, value: Any) -> Any:
    if not isinstance(value, row_type):
        raise ValueError("a dataframe field of a data object holds one row (an object of its columns)")
    return value


def _records(df: pd.DataFrame) -> List[Dict[str, Any]]:
    records: List[Dict[str, Any]] = df.astype(object).where(df.notna(), None).to_dict(orient="records")
    for record in records:
        for key, value in record.items():
            if isinstance(value, pd.Timestamp):
                record[key] = value.isoformat()
    return records


def row_objects(frame: "DataFrameMixin") -> List[Any]:
    """One row object (the row type's, not validated: the frame's columns were) per row of ``frame``."""
    row_type = type(frame).__dataframe__.serialized_type
    df = frame._DataFrameMixin__df
    records = df.astype(object).where(df.notna(), None).to_dict(orient="records")
    return [row_type(**record) for record in records]


def _rows_or_row(value: Any) -> Any:
    """What pydantic writes for a ``@dataframe`` value: a frame as its rows, a row as itself."""
    return row_objects(value) if isinstance(value, DataFrameMixin) else value


def _row_type(cls: type) -> type:
    """The ``@dataobject`` ``<Class>_`` with the fields of ``cls``: one row of the frame."""
    fields = []
    for item in dataclasses.fields(cls):
        spec = dataclasses.field(default=item.default, default_factory=item.default_factory,  # type: ignore[call-overload]
                                 metadata=item.metadata)
        fields.append((item.name, item.type, spec))
    row = dataclasses.make_dataclass(f"{cls.__name__}_", fields)
    row.__module__ = cls.__module__
    row.__qualname__ = f"{cls.__qualname__}_"
    row.__doc__ = f"One row of {cls.__qualname__}."
    dataobject(unsafe=True)(row)
    return row


def _column_property(name: str) -> property:
    def get(self: DataFrameMixin) -> Any:
        return self._DataFrameMixin__df[name]

    def put(self: DataFrameMixin, value: Any) -> None:
        meta = type(self).__dataframe__
        column = next(k for k in meta.kinds if k.name == name)
        series = value if isinstance(value, pd.Series) else pd.Series(value, index=self._DataFrameMixin__df.index)
        if meta.validate:
            series, problem = coerce_series(series, column)
            if problem is not None:
                raise DataFrameValidationError(type(self).__qualname__, [problem])
        self._DataFrameMixin__df[name] = series

    return property(get, put, doc=f"Column {name!r} (a pandas Series).")


def dataframe(
    decorated_class: Optional[Type[_T]] = None, *, unsafe: bool = False, validate: bool = True, schema: bool = True
) -> Any:
    """Make the dataclass ``decorated_class`` a typed DataFrame container (see the module docstring).

    :param unsafe: steps share the instance instead of copying it, and ``from_df`` keeps the frame given.
    :param validate: coerce and check columns on construction (off: columns kept as given).
    :param schema: document the row type in OpenAPI.

    Idempotent: a class that is already a ``@dataframe`` is returned as it is.
    """

    def wrap(cls: Type[_T]) -> Type[_T]:
        if is_dataframe(cls):
            return cls
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"@dataframe needs a dataclass: put @dataclass below @dataframe on {cls.__qualname__}")
        fields = {item.name: item for item in dataclasses.fields(cls)}
        meta = DataFrameMetadata(
            columns=list(fields), fields=fields, kinds=column_kinds(cls), serialized_type=_row_type(cls),
            validate=validate,
        )
        namespace: Dict[str, Any] = {
            "__module__": cls.__module__,
            "__qualname__": cls.__qualname__,
            "__doc__": cls.__doc__,
            "__init__": DataFrameMixin.__init__,
            "__eq__": DataFrameMixin.__eq__,
            "__repr__": DataFrameMixin.__repr__,
            "__hash__": None,
            "__dataframe__": meta,
            "__data_object__": {"unsafe": unsafe, "validate": validate, "schema": schema},
            "__stream_event__": StreamEventParams(None, None),
            **{name: _column_property(name) for name in fields},
        }
        return type(cls.__name__, (DataFrameMixin, cls), namespace)  # type: ignore[return-value]

    if decorated_class is None:
        return wrap
    return wrap(decorated_class)
