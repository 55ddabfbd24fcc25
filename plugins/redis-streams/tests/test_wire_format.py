"""The XADD fields of hopeit.engine 0.24's redis-streams plugin, written and read by hand with redis-py."""

import base64
import json
from datetime import datetime, timezone
from typing import Dict, Optional, Union

import lz4.frame
import redis.asyncio as aioredis
from hopeit.app.config import Compression, Serialization
from hopeit.streams import StreamEvent
from redis.typing import EncodableT, FieldT
from redis_streams_support import (
    TRACK_HEADERS,
    TRACK_IDS,
    ManagerFactory,
    Minimal,
    Something,
    publish,
    read,
    read_events,
    something,
)

SOMETHING_TYPE = "redis_streams_support.Something"


async def test_written_fields_match_the_wire_format(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    manager = await make_manager()
    before = datetime.now(tz=timezone.utc)
    await publish(manager, stream_name, [something(7)], queue="q1")
    ((msg_id, fields),) = await raw.xrange(stream_name)
    assert list(fields) == [
        b"id", b"type", b"submit_ts", b"event_ts",
        *(k.encode() for k in TRACK_IDS),
        b"auth_info", b"ser", b"comp", b"payload", b"queue",
    ]
    assert fields[b"id"] == b"id-7"
    assert fields[b"type"] == SOMETHING_TYPE.encode()
    assert before <= datetime.fromisoformat(fields[b"submit_ts"].decode()) <= datetime.now(tz=timezone.utc)
    assert fields[b"event_ts"] == b"2024-01-02T03:04:05+00:00"
    for key, value in TRACK_IDS.items():
        assert fields[key.encode()] == value.encode()
    # base64 of json.dumps with its default separators: the exact bytes of the original plugin
    assert fields[b"auth_info"] == b"eyJhdXRoX3R5cGUiOiAiVW5zZWN1cmVkIiwgImFsbG93ZWQiOiAidHJ1ZSJ9"
    assert fields[b"ser"] == b"json" and fields[b"comp"] == b"none"
    assert json.loads(fields[b"payload"]) == {
        "id": "id-7", "ts": "2024-01-02T03:04:05+00:00", "value": 7, "price": 12.5, "color": "blue",
        "tags": ["a", "b"], "extra": {"k": [1, 2], "n": None},
        "part": {"name": "p", "weight": 1.5}, "parts": [{"name": "q", "weight": 0.0}],
    }
    assert fields[b"queue"] == b"q1"
    assert msg_id.count(b"-") == 1


async def test_default_encoding_is_lz4_over_base64_json(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    manager = await make_manager()
    await publish(manager, stream_name, [Minimal(value="v")], compression=Compression.LZ4,
                  serialization=Serialization.JSON_BASE64)
    ((_, fields),) = await raw.xrange(stream_name)
    assert (fields[b"ser"], fields[b"comp"]) == (b"json+base64", b"lz4")
    assert json.loads(base64.b64decode(lz4.frame.decompress(fields[b"payload"]))) == {"value": "v"}
    assert fields[b"event_ts"] == b""


def original_fields(payload_json: str, **overrides: Optional[Union[str, bytes]]) -> Dict[FieldT, EncodableT]:
    """A message as hopeit.engine 0.24 wrote it (spaced JSON, lz4 over base64 by default)."""
    fields: Dict[str, Optional[Union[str, bytes]]] = {
        "id": "id-42",
        "type": SOMETHING_TYPE,
        "submit_ts": "2024-03-01T10:00:00.000001+00:00",
        "event_ts": "2024-01-02T03:04:05+00:00",
        "track.operation_id": "written-op",
        "track.request_id": "req-42",
        "track.request_ts": "2024-03-01T09:59:59+00:00",
        "track.session_id": "sess-42",
        "event.app": "simple_example.0x24",
        "auth_info": base64.b64encode(json.dumps({"auth_type": "Bearer", "allowed": "true", "sub": "u"}).encode()),
        "ser": "json+base64",
        "comp": "lz4",
        "payload": lz4.frame.compress(base64.b64encode(payload_json.encode())),
        "queue": b"AUTO",
    }
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


ORIGINAL_JSON = (
    '{"id": "id-42", "ts": "2024-01-02T03:04:05+00:00", "value": 42, "price": "1.5", "color": "red", '
    '"tags": [], "extra": {}, "part": null, "parts": []}'
)


async def test_reads_messages_written_by_the_original_engine(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    manager = await make_manager()
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    msg_id = await raw.xadd(stream_name, original_fields(ORIGINAL_JSON, queue=b"custom"))
    (event,) = await read(manager, stream_name, "g")
    assert isinstance(event, StreamEvent)
    assert event.msg_internal_id == msg_id
    assert isinstance(event.payload, Something) and event.payload.value == 42 and event.payload.id == "id-42"
    assert event.queue == "custom"
    assert event.auth_info == {"auth_type": "Bearer", "allowed": "true", "sub": "u"}
    ids = event.track_ids
    assert ids["stream.name"] == stream_name and ids["stream.msg_id"] == msg_id.decode()
    assert ids["stream.consumer_group"] == "g"
    assert ids["stream.submit_ts"] == "2024-03-01T10:00:00.000001+00:00"
    assert ids["stream.event_ts"] == "2024-01-02T03:04:05+00:00" and ids["stream.event_id"] == "id-42"
    assert {k: ids[k] for k in TRACK_HEADERS} == {
        "track.request_id": "req-42", "track.request_ts": "2024-03-01T09:59:59+00:00", "track.session_id": "sess-42"
    }
    assert ids["track.operation_id"] != "written-op" and len(ids["track.operation_id"]) == 36
    assert "event.app" not in ids  # only the configured track headers are restored
    assert await manager.ack_read_stream(stream_name=stream_name, consumer_group="g", stream_event=event) == 1


async def test_missing_queue_and_auth_default(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    manager = await make_manager()
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    fields = original_fields(ORIGINAL_JSON, queue=None, auth_info=None, **{"track.session_id": None})
    await raw.xadd(stream_name, fields)
    (event,) = await read_events(manager, stream_name, "g")
    assert event.queue == "AUTO" and event.auth_info == {}
    assert event.track_ids["track.session_id"] == ""


async def test_plain_json_written_by_hand(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    manager = await make_manager()
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    await raw.xadd(stream_name, original_fields('{"value": "hand"}', type="redis_streams_support.Minimal",
                                                ser="json", comp="none", payload=b'{"value": "hand"}'))
    (event,) = await read_events(manager, stream_name, "g")
    assert event.payload == Minimal(value="hand")


async def test_unknown_type_comes_back_as_error_and_stays_pending(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    manager = await make_manager()
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    await raw.xadd(stream_name, original_fields(ORIGINAL_JSON, type="other_app.Unknown"))
    (item,) = await read(manager, stream_name, "g")
    assert isinstance(item, TypeError) and "other_app.Unknown" in str(item)
    assert (await raw.xpending(stream_name, "g"))["pending"] == 1


async def test_corrupt_payload_comes_back_as_error(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    manager = await make_manager()
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    await raw.xadd(stream_name, original_fields(ORIGINAL_JSON, payload=b"not lz4"))
    await publish(manager, stream_name, [something(1)])
    error, good = await read(manager, stream_name, "g")
    assert isinstance(error, ValueError) and "Cannot read stream message" in str(error)
    assert isinstance(good, StreamEvent) and good.payload.value == 1
