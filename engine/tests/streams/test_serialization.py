import base64
import itertools
import pickle
from datetime import datetime, timezone
from typing import Any

import pytest
from hopeit.app.config import Compression, Serialization
from hopeit.server.serialization import deserialize, serialize
from hopeit.streams.compression import decompress
from hopeit.streams.serialization import deserialize_payload, serialize_payload

from .payloads import Order, Part, Plain, make_order

COMBINATIONS = list(itertools.product(Serialization, Compression))
IDS = [f"{s.value}-{c.value}" for s, c in COMBINATIONS]


@pytest.mark.parametrize("serialization, compression", COMBINATIONS, ids=IDS)
async def test_dataobject_round_trip(serialization: Serialization, compression: Compression) -> None:
    """A nested data object with datetimes comes back equal through every serialization x compression."""
    order = make_order()
    data = await serialize(order, serialization, compression)
    assert isinstance(data, bytes)
    result = await deserialize(data, serialization, compression, Order)
    assert result == order
    assert result is not order
    assert result.created == datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=timezone.utc)
    assert isinstance(result.parts[0], Part)


ATOMIC = [("text", str), (42, int), (2.5, float), (True, bool), (False, bool)]


@pytest.mark.parametrize("serialization, compression", COMBINATIONS, ids=IDS)
@pytest.mark.parametrize("value, datatype", ATOMIC, ids=[repr(v) for v, _ in ATOMIC])
async def test_atomic_round_trip(
    serialization: Serialization, compression: Compression, value: Any, datatype: type
) -> None:
    """Atomic payloads travel too (wrapped as {"value": ...} in JSON)."""
    data = await serialize(value, serialization, compression)
    result: Any = await deserialize(data, serialization, compression, datatype)
    assert result == value
    assert type(result) is datatype


@pytest.mark.parametrize("serialization", list(Serialization), ids=[s.value for s in Serialization])
def test_collections_round_trip(serialization: Serialization) -> None:
    """dict and list payloads round trip through the streams helpers."""
    for value, datatype in (({"a": 1, "b": [1, 2]}, dict), ([1, "x", None], list)):
        data = serialize_payload(value, serialization, Compression.NONE)
        assert deserialize_payload(data, serialization, Compression.NONE, datatype) == value


#: ``make_order()`` as stream messages carry it: compact UTF-8 JSON, fields in declaration order,
#: UTC datetimes written by ``isoformat()`` as 0.24 wrote them (``+00:00``), the None ``note`` left out
ORDER_WIRE = (
    b'{"id":"order-1","created":"2024-05-06T07:08:09.123000+00:00","parts":['
    b'{"name":"part-0","made":"2024-01-01T00:00:00+00:00"},{"name":"part-1","made":"2024-01-02T00:00:00+00:00"},'
    b'{"name":"part-2","made":"2024-01-03T00:00:00+00:00"}],"tags":{"n":1}}'
)
#: the same order as hopeit.engine 0.24 wrote it (", " and ": " separators, "+00:00" offsets)
ORDER_WIRE_0_24 = (
    b'{"id": "order-1", "created": "2024-05-06T07:08:09.123000+00:00", "parts": ['
    b'{"name": "part-0", "made": "2024-01-01T00:00:00+00:00"}, '
    b'{"name": "part-1", "made": "2024-01-02T00:00:00+00:00"}, '
    b'{"name": "part-2", "made": "2024-01-03T00:00:00+00:00"}], "tags": {"n": 1}}'
)


async def test_json_encoding_exact() -> None:
    """json is the payload's compact UTF-8 JSON and json+base64 its base64: the bytes Redis readers get."""
    order = make_order()
    assert await serialize(order, Serialization.JSON_UTF8, Compression.NONE) == ORDER_WIRE
    assert base64.b64decode(await serialize(order, Serialization.JSON_BASE64, Compression.NONE)) == ORDER_WIRE
    assert await serialize(Plain(value=3), Serialization.JSON_BASE64, Compression.NONE) == b"eyJ2YWx1ZSI6M30="
    assert await serialize(7, Serialization.JSON_UTF8, Compression.NONE) == b'{"value":7}'
    assert await serialize("text", Serialization.JSON_UTF8, Compression.NONE) == b'{"value":"text"}'
    assert await serialize(Plain(value=3), Serialization.JSON_UTF8, Compression.NONE) == b'{"value":3}'


@pytest.mark.parametrize("wire", [ORDER_WIRE, ORDER_WIRE_0_24], ids=["compact", "0.24"])
async def test_json_messages_of_either_format_are_read(wire: bytes) -> None:
    """Messages written by this engine and by 0.24 producers decode to the same payload."""
    assert await deserialize(wire, Serialization.JSON_UTF8, Compression.NONE, Order) == make_order()
    encoded = base64.b64encode(wire)
    assert await deserialize(encoded, Serialization.JSON_BASE64, Compression.NONE, Order) == make_order()


@pytest.mark.parametrize(
    "serialization, protocol", [(Serialization.PICKLE3, 3), (Serialization.PICKLE4, 4), (Serialization.PICKLE5, 5)]
)
async def test_pickle_protocol(serialization: Serialization, protocol: int) -> None:
    """pickle:N writes pickle protocol N, and ignores the datatype when reading."""
    data = await serialize(make_order(), serialization, Compression.ZIP)
    raw = decompress(data, Compression.ZIP)
    assert raw[:2] == bytes([0x80, protocol])
    assert pickle.loads(raw) == make_order()
    restored: Any = await deserialize(data, serialization, Compression.ZIP, str)
    assert restored == make_order()


async def test_compression_applied_after_encoding() -> None:
    """serialize = encode then compress; deserialize undoes both."""
    order = make_order()
    packed = await serialize(order, Serialization.JSON_BASE64, Compression.LZ4)
    assert base64.b64decode(decompress(packed, Compression.LZ4)) == ORDER_WIRE


async def test_invalid_data_raises() -> None:
    """Bytes that do not parse as the datatype raise a ValueError naming the problem."""
    data = await serialize(Plain(value=1), Serialization.JSON_UTF8, Compression.NONE)
    with pytest.raises(ValueError):
        await deserialize(data, Serialization.JSON_UTF8, Compression.NONE, Order)
