"""A request body for a type a payload codec handles is parsed by the codec, to be decoded by the engine."""

from dataclasses import dataclass
from typing import Any, Iterator, Optional

import pytest
from hopeit.app.errors import BadRequest
from hopeit.contracts import codecs
from hopeit.contracts.codecs import PayloadCodec, StoredPayload
from hopeit.dataobjects import dataobject
from hopeit.web.request import parse_json_payload


@dataobject
@dataclass
class Big:
    name: str


@dataobject
@dataclass
class BigRef:
    key: str


class RefCodec(PayloadCodec):
    name = "refs"

    def stored_type(self, datatype: type) -> Optional[type]:
        return BigRef if datatype is Big else None

    async def encode(self, payload: Any) -> Any:
        return BigRef(key=payload.name)

    async def decode(self, stored: Any, datatype: type) -> Any:
        return Big(name=stored.key)


@pytest.fixture
def refs() -> Iterator[RefCodec]:
    codec = RefCodec()
    codecs.register_codec(codec)
    yield codec
    codecs.unregister_codec("refs")


async def test_body_of_a_handled_type_is_left_for_the_engine_to_decode(refs: RefCodec) -> None:
    parsed = parse_json_payload(b'{"key": "k1"}', Big)
    assert isinstance(parsed, StoredPayload) and parsed.stored == BigRef(key="k1") and parsed.datatype is Big
    assert await parsed.decode() == Big(name="k1")
    assert parse_json_payload(b'{"key": "k1"}', BigRef) == BigRef(key="k1")  # not handled: parsed as usual


def test_a_body_the_codec_refuses_is_a_bad_request(refs: RefCodec) -> None:
    with pytest.raises(BadRequest, match="key"):
        parse_json_payload(b'{"name": "x"}', Big)


def test_without_codecs_bodies_parse_as_their_type() -> None:
    assert parse_json_payload(b'{"name": "x"}', Big) == Big(name="x")
