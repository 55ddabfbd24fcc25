"""``@dataframeobject``: a data object whose fields may be ``@dataframe`` s.

::

    @dataframeobject
    @dataclass
    class Experiment:
        experiment_id: str
        input_data: Iris
        test_labels: Optional[IrisLabels] = None

Its *serialized type*, ``<Class>_``, is the same data object with each dataframe field holding
either a ``Dataset`` pointer (what travels through streams, and what 0.24 POSTed) or a list of row
objects (plain JSON records, for small frames in web requests). ``DataFrames.serialize`` saves the
frames and returns the serialized type; ``DataFrames.deserialize`` loads them back.
"""

import dataclasses
import typing
from typing import Any, ClassVar, Dict, List, Optional, Type, TypeVar, Union

from hopeit.dataframes.dataframe import is_dataframe, row_objects
from hopeit.dataframes.serialization.dataset import Dataset
from hopeit.dataframes.serialization.storage import current_storage
from hopeit.dataobjects import StreamEventParams, dataobject
from hopeit.dataobjects.ids import new_id
from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

__all__ = ["DataFrameObjectMetadata", "DataFrameObjectMixin", "dataframeobject", "is_dataframeobject"]

_T = TypeVar("_T")
_NONE = type(None)



def dataset_or_rows(frame_type: Any) -> Any:
    """What a ``frame_type`` value is sent as: a ``Dataset`` pointer, or the list of its rows."""
    return Union[Dataset, List[frame_type.__dataframe__.serialized_type]]  # type: ignore[name-defined]


@dataclasses.dataclass
class DataFrameObjectMetadata:
    """What ``@dataframeobject`` knows of a class: its serialized type and which fields are dataframes."""

    serialized_type: type
    dataframe_fields: Dict[str, type]


def is_dataframeobject(datatype: Any) -> bool:
    """True for ``@dataframeobject`` classes (and their instances)."""
    return hasattr(datatype, "__dataframeobject__")


class DataFrameObjectMixin:
    """Behaviour of ``@dataframeobject`` classes: turning into their serialized type and back."""

    __dataframeobject__: ClassVar[DataFrameObjectMetadata]

    async def _serialize(self) -> Any:
        """The serialized type with every dataframe field saved: nothing stays saved if one save fails."""
        meta = type(self).__dataframeobject__
        storage = current_storage()
        values: Dict[str, Any] = {}
        saved: List[Dataset] = []
        try:
            for item in dataclasses.fields(meta.serialized_type):
                value = getattr(self, item.name)
                if item.name in meta.dataframe_fields and value is not None:
                    value = await storage.save(value)
                    saved.append(value)
                values[item.name] = value
        except BaseException:
            for dataset in saved:
                await storage.delete(dataset)
            raise
        return meta.serialized_type(**values)

    @classmethod
    async def _deserialize(cls: Type[_T], serialized: Any) -> _T:
        """The object rebuilt from its serialized type: datasets loaded, records turned into frames."""
        meta: DataFrameObjectMetadata = cls.__dataframeobject__  # type: ignore[attr-defined]
        storage = current_storage()
        values: Dict[str, Any] = {}
        for item in dataclasses.fields(meta.serialized_type):
            value = getattr(serialized, item.name)
            datatype = meta.dataframe_fields.get(item.name)
            if datatype is not None and value is not None:
                if isinstance(value, Dataset):
                    value = await storage.load(value, datatype)
                else:
                    value = _from_rows(datatype, value, item.name)
            values[item.name] = value
        return cls(**values)

    def to_json(self, *args: Any, **kwargs: Any) -> str:
        """Refused: the dataframes must be saved first (``await DataFrames.serialize(obj)``)."""
        raise RuntimeError(
            f"{type(self).__qualname__} holds dataframes: return `await DataFrames.serialize(obj)` "
            "(Dataset pointers) instead of the object, or let the engine write it"
        )

    @classmethod
    def json_schema(cls, *args: Any, **kwargs: Any) -> Dict[str, Any]:
        """JSON schema of the serialized type (what travels)."""
        from hopeit.dataobjects.schema import json_schema

        return json_schema(cls.__dataframeobject__.serialized_type)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        """Parsed and documented as its serialized type; written, its frames become lists of rows."""
        stored = handler.generate_schema(cls.__dataframeobject__.serialized_type)
        return core_schema.no_info_after_validator_function(
            _same, stored,
            serialization=core_schema.plain_serializer_function_ser_schema(_as_serialized, return_schema=stored),
        )

    def event_id(self) -> str:
        """Id of the stream message carrying it."""
        expr = type(self).__stream_event__.event_id_expr  # type: ignore[attr-defined]
        return new_id() if expr is None else str(StreamEventParams.extract_attr(self, expr))

    def event_ts(self) -> Any:
        """Event time of the stream message carrying it, if the class names a field for it."""
        expr = type(self).__stream_event__.event_ts_expr  # type: ignore[attr-defined]
        return None if expr is None else StreamEventParams.extract_attr(self, expr)


def _same(value: Any) -> Any:
    return value


def _as_serialized(value: Any) -> Any:
    """What pydantic writes for a ``@dataframeobject``: its serialized type, frames as lists of rows."""
    if not isinstance(value, DataFrameObjectMixin):
        return value  # already the serialized type
    serialized = type(value).__dataframeobject__.serialized_type
    return serialized(**{
        item.name: row_objects(held) if is_dataframe(held) else held
        for item in dataclasses.fields(serialized)
        for held in (getattr(value, item.name),)
    })


def _from_rows(datatype: type, rows: List[Any], field_name: str) -> Any:
    from hopeit.dataframes.api import DataFrames

    try:
        return DataFrames.from_dataobjects(datatype, rows)
    except ValueError as exc:
        raise ValueError(f"field '{field_name}': {exc}") from None


def _serialized_field_type(cls: type, name: str, annotation: Any) -> Any:
    """Type of field ``name`` in the serialized type, and the dataframe type it stands for (or None)."""
    if is_dataframe(annotation):
        return dataset_or_rows(annotation), annotation
    if typing.get_origin(annotation) is Union:
        args = typing.get_args(annotation)
        frames = [a for a in args if is_dataframe(a)]
        if frames:
            if len(args) == 2 and _NONE in args:
                return Optional[dataset_or_rows(frames[0])], frames[0]
            raise TypeError(f"{cls.__qualname__}.{name}: a dataframe field may be Optional, not another Union")
    return annotation, None


def dataframeobject(
    decorated_class: Optional[Type[_T]] = None, *, unsafe: bool = False, validate: bool = True, schema: bool = True
) -> Any:
    """Make the dataclass ``decorated_class`` a data object that may hold ``@dataframe`` fields.

    Idempotent: a class that is already a ``@dataframeobject`` is returned as it is.
    """

    def wrap(cls: Type[_T]) -> Type[_T]:
        if is_dataframeobject(cls):
            return cls
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"@dataframeobject needs a dataclass: put @dataclass below it on {cls.__qualname__}")
        hints = typing.get_type_hints(cls)
        fields = []
        frames: Dict[str, type] = {}
        for item in dataclasses.fields(cls):
            annotation, frame = _serialized_field_type(cls, item.name, hints.get(item.name, item.type))
            if frame is not None:
                frames[item.name] = frame
            spec = dataclasses.field(default=item.default, default_factory=item.default_factory,  # type: ignore[call-overload]
                                     metadata=item.metadata)
            fields.append((item.name, annotation, spec))
        serialized = dataclasses.make_dataclass(f"{cls.__name__}_", fields)
        serialized.__module__ = cls.__module__
        serialized.__qualname__ = f"{cls.__qualname__}_"
        serialized.__doc__ = f"{cls.__qualname__} with its dataframes saved (Dataset) or as lists of rows."
        stream_event = getattr(cls, "__stream_event__", StreamEventParams(None, None))
        dataobject(unsafe=True, event_id=stream_event.event_id_expr, event_ts=stream_event.event_ts_expr)(serialized)
        namespace: Dict[str, Any] = {
            "__module__": cls.__module__,
            "__qualname__": cls.__qualname__,
            "__doc__": cls.__doc__,
            "__dataframeobject__": DataFrameObjectMetadata(serialized, frames),
            "__data_object__": {"unsafe": unsafe, "validate": validate, "schema": schema},
            "__stream_event__": stream_event,
            "to_json": DataFrameObjectMixin.to_json,
            "json_schema": DataFrameObjectMixin.__dict__["json_schema"],
            "event_id": DataFrameObjectMixin.event_id,
            "event_ts": DataFrameObjectMixin.event_ts,
        }
        return type(cls.__name__, (DataFrameObjectMixin, cls), namespace)  # type: ignore[return-value]

    if decorated_class is None:
        return wrap
    return wrap(decorated_class)
