"""The payload codec that lets dataframes travel by reference through streams, SHUFFLE and web requests.

Registered by ``setup.dataframes`` (``hopeit.contracts.codecs``): the engine then hands it every
``@dataframe`` / ``@dataframeobject`` payload written to a stream (it is saved, a pointer travels)
and read from one (it is loaded), and every web request body for such a type (``Dataset`` pointers
as 0.24 POSTed them, or plain JSON records).
"""

from typing import Any, Optional

from hopeit.contracts.codecs import PayloadCodec
from hopeit.dataframes.api import DataFrames
from hopeit.dataframes.dataframe import is_dataframe
from hopeit.dataframes.dataframeobject import dataset_or_rows, is_dataframeobject
from hopeit.dataframes.serialization.dataset import Dataset
from hopeit.dataobjects.payload import Payload

__all__ = ["DataFramesCodec"]

class DataFramesCodec(PayloadCodec):
    """``@dataframeobject`` <-> its serialized type, ``@dataframe`` <-> ``Dataset``."""

    name = "hopeit.dataframes"

    def stored_type(self, datatype: type) -> Optional[type]:
        """The serialized type of a ``@dataframeobject``, ``Dataset`` for a ``@dataframe``, else None."""
        if is_dataframeobject(datatype):
            stored: type = datatype.__dataframeobject__.serialized_type  # type: ignore[attr-defined]
            return stored
        if is_dataframe(datatype):
            return Dataset
        return None

    async def encode(self, payload: Any) -> Any:
        """Frames saved as parquet; the pointers (in the serialized type) returned."""
        return await DataFrames.serialize(payload)

    async def decode(self, stored: Any, datatype: type) -> Any:
        """Datasets loaded (and records turned into frames), checked against ``datatype``'s columns."""
        if is_dataframe(datatype) and isinstance(stored, list):
            return DataFrames.from_dataobjects(datatype, stored)
        return await DataFrames.deserialize(datatype, stored)

    def parse_request(self, body: bytes, datatype: type) -> Any:
        """A body for a ``@dataframe``: a ``Dataset`` or a list of rows; else the serialized type."""
        if is_dataframe(datatype):
            return Payload.from_json(body, dataset_or_rows(datatype))
        return super().parse_request(body, datatype)
