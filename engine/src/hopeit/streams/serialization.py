"""Encoding of stream message payloads: serialize then compress, decompress then parse.

Which serializations a stream *reads* is its config's choice (``readable_serializations``): the
message's own ``ser`` field only says how it was written, and pickle runs code while loading.
"""

import base64
import pickle
from typing import Any, FrozenSet, Optional, Type, TypeVar

from hopeit.app.config import Compression, Serialization
from hopeit.dataobjects.payload import Payload
from hopeit.streams import SAFE_SERIALIZATIONS
from hopeit.streams.compression import compress, decompress

__all__ = ["PICKLE_SERIALIZATIONS", "deserialize_payload", "readable_serializations", "serialize_payload"]

_T = TypeVar("_T")

#: Every pickle protocol: ``pickle.loads`` reads them all, so trusting one is trusting them all.
PICKLE_SERIALIZATIONS: FrozenSet[Serialization] = frozenset(s for s in Serialization if s.value.startswith("pickle:"))


def readable_serializations(configured: Optional[Serialization]) -> FrozenSet[Serialization]:
    """What a reader whose config names ``configured`` (its effective ``settings.stream.serialization``) decodes.

    JSON always; pickle, of any protocol, only when ``configured`` is a pickle one: the app's config
    then says the stream's producers are trusted (messages written with another protocol still read).
    """
    if configured in PICKLE_SERIALIZATIONS:
        return SAFE_SERIALIZATIONS | PICKLE_SERIALIZATIONS
    return SAFE_SERIALIZATIONS


def _encode(data: Any, serialization: Serialization) -> bytes:
    if serialization is Serialization.JSON_UTF8:
        return Payload.to_json_bytes(data)
    if serialization is Serialization.JSON_BASE64:
        return base64.b64encode(Payload.to_json_bytes(data))
    protocol = int(serialization.value.partition(":")[2])
    return pickle.dumps(data, protocol=protocol)


def _decode(data: bytes, serialization: Serialization, datatype: Type[_T]) -> _T:
    if serialization is Serialization.JSON_UTF8:
        return Payload.from_json(data, datatype)
    if serialization is Serialization.JSON_BASE64:
        return Payload.from_json(base64.b64decode(data), datatype)
    # pickle runs code while loading: stream readers reach this only where their config allows pickle
    return pickle.loads(data)  # type: ignore[no-any-return]


def serialize_payload(data: Any, serialization: Serialization, compression: Compression) -> bytes:
    """Encode ``data`` as ``serialization`` and compress it."""
    if serialization is Serialization.JSON_UTF8 and compression is Compression.NONE:  # the default
        return Payload.to_json_bytes(data)
    return compress(_encode(data, serialization), compression)


def deserialize_payload(
    data: bytes, serialization: Serialization, compression: Compression, datatype: Type[_T]
) -> _T:
    """Decompress ``data`` and parse it as ``datatype``."""
    if compression is not Compression.NONE:
        data = decompress(data, compression)
    if serialization is Serialization.JSON_UTF8:  # the default: one call less per message
        return Payload.from_json(data, datatype)
    return _decode(data, serialization, datatype)
