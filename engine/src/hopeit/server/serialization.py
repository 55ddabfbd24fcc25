"""Payload serialization for streams, as hopeit.engine 0.24 code imports it.

``serialize`` encodes then compresses, ``deserialize`` decompresses then decodes: the same bytes as
the ``payload`` field of a stream message (see ``hopeit.streams.serialization``, which does the work).
"""

from typing import Any, Type, TypeVar

from hopeit.app.config import Compression, Serialization
from hopeit.streams.serialization import deserialize_payload, serialize_payload

__all__ = ["deserialize", "serialize"]

_T = TypeVar("_T")


async def serialize(data: Any, serialization: Serialization, compression: Compression) -> bytes:
    """Encode ``data`` (a ``@dataobject`` or atomic value) as ``serialization`` and compress it."""
    return serialize_payload(data, serialization, compression)


async def deserialize(data: bytes, serialization: Serialization, compression: Compression, datatype: Type[_T]) -> _T:
    """Decompress ``data`` and parse it as ``datatype`` (ignored by pickle, which restores what was saved).

    The caller chooses ``serialization``: pickle runs code while loading, so never pass one that
    came with the data itself (stream readers check the message's against their config first).
    """
    return deserialize_payload(data, serialization, compression, datatype)
