import base64
import json
import re
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Dict

import pytest
from hopeit.app.config import Compression, Serialization
from hopeit.dataobjects.payload import Payload
from hopeit.streams import MessageRefusedError, StreamEvent
from hopeit.streams.messages import (
    DEFAULT_QUEUE,
    MessageReader,
    decode_message,
    encode_message,
    encode_messages,
    encode_own,
    encode_shared,
    error_text,
    escape_text,
    payload_type_name,
)
from hopeit.streams.serialization import serialize_payload

from .payloads import Order, Plain, StampedText, make_order

AUTH = {"auth_type": "Unsecured", "allowed": "true"}
TRACK = {"track.request_id": "req-1", "track.request_ts": "2024-05-06T07:08:09+00:00", "track.session_id": None}
SUBMIT_TS = datetime(2024, 5, 6, 10, 0, 0, tzinfo=timezone.utc)
READ_TS = datetime(2024, 5, 6, 10, 0, 1, tzinfo=timezone.utc)


def encode(payload: Any = None, **kwargs: Any) -> Dict[str, Any]:
    args: Dict[str, Any] = {
        "payload": make_order() if payload is None else payload,
        "queue": "AUTO",
        "track_ids": TRACK,
        "auth_info": AUTH,
        "compression": Compression.NONE,
        "serialization": Serialization.JSON_UTF8,
        "submit_ts": SUBMIT_TS,
    }
    args.update(kwargs)
    return encode_message(**args)


def decode(fields: Any, **kwargs: Any) -> Any:
    args: Dict[str, Any] = {
        "msg_id": b"1700000000000-0",
        "stream_name": "app.stream",
        "consumer_group": "app.group",
        "datatypes": {payload_type_name(Order): Order, payload_type_name(Plain): Plain},
        "track_headers": ["track.request_id", "track.request_ts", "track.session_id"],
        "read_ts": READ_TS,
    }
    args.update(kwargs)
    return decode_message(fields, **args)


def test_fields_exactly_as_redis_streams_plugin() -> None:
    """Field names, order and values follow the redis-streams wire format."""
    order = make_order()
    fields = encode(order, queue="custom")
    assert list(fields) == [
        "id", "type", "submit_ts", "event_ts", "track.request_id", "track.request_ts", "track.session_id",
        "auth_info", "ser", "comp", "payload", "queue",
    ]
    assert fields["id"] == "order-1"
    assert fields["type"] == f"{Order.__module__}.Order"
    assert fields["submit_ts"] == "2024-05-06T10:00:00+00:00"
    assert fields["event_ts"] == "2024-05-06T07:08:09.123000+00:00"
    assert fields["track.request_id"] == "req-1"
    assert fields["track.session_id"] == ""
    assert fields["auth_info"] == b"eyJhdXRoX3R5cGUiOiAiVW5zZWN1cmVkIiwgImFsbG93ZWQiOiAidHJ1ZSJ9"
    assert fields["ser"] == "json"
    assert fields["comp"] == "none"
    assert json.loads(fields["payload"]) == json.loads(Payload.to_json(order))
    assert fields["queue"] == b"custom"


def test_auth_info_is_base64_of_json_dumps() -> None:
    """auth_info is base64 of json.dumps with the default separators."""
    auth = {"auth_type": "Bearer", "payload": {"user": "me", "roles": ["a", "b"]}}
    fields = encode(auth_info=auth)
    assert fields["auth_info"] == base64.b64encode(json.dumps(auth).encode())


@pytest.mark.parametrize("serialization", list(Serialization), ids=[s.value for s in Serialization])
@pytest.mark.parametrize("compression", list(Compression), ids=[c.value for c in Compression])
def test_payload_field_is_serialized_and_compressed(serialization: Serialization, compression: Compression) -> None:
    """ser/comp name the encoding and the message decodes back through every combination."""
    order = make_order()
    fields = encode(order, serialization=serialization, compression=compression)
    assert fields["ser"] == serialization.value
    assert fields["comp"] == compression.value
    if compression is not Compression.GZIP and "gzip" not in compression.value:  # gzip stamps the time
        assert fields["payload"] == serialize_payload(order, serialization, compression)
    event = decode(fields, serializations=set(Serialization))  # pickle only where allowed: test_refused_messages
    assert isinstance(event, StreamEvent)
    assert event.payload == order


def test_event_ts_variants() -> None:
    """event_ts: datetimes as UTC ISO (naive ones taken as UTC), strings as they are, nothing as ""."""
    eastern = make_order()
    eastern.created = datetime(2024, 5, 6, 7, 0, tzinfo=timezone(timedelta(hours=-3)))
    assert encode(eastern)["event_ts"] == "2024-05-06T10:00:00+00:00"
    naive = make_order()
    naive.created = datetime(2024, 5, 6, 7, 0)
    assert encode(naive)["event_ts"] == "2024-05-06T07:00:00+00:00"
    assert encode(StampedText(stamp="yesterday"))["event_ts"] == "yesterday"
    assert encode(Plain(value=1))["event_ts"] == ""


def test_event_id_defaults_to_uuid() -> None:
    """A data object with no event_id gets a new uuid per message."""
    first, second = encode(Plain(value=1))["id"], encode(Plain(value=1))["id"]
    assert first != second
    uuid.UUID(str(first))


def test_submit_ts_defaults_to_now() -> None:
    """Without submit_ts the current UTC time is written."""
    before = datetime.now(tz=timezone.utc)
    written = datetime.fromisoformat(str(encode(submit_ts=None)["submit_ts"]))
    assert before <= written <= datetime.now(tz=timezone.utc)


def test_decode_builds_stream_event() -> None:
    """Decoding gives the payload, queue, auth info and the stream.* track ids plus a new operation id."""
    order = make_order()
    fields = encode(order, queue="custom", track_ids={**TRACK, "track.operation_id": "old-op"})
    event = decode(fields)
    assert isinstance(event, StreamEvent)
    assert event.msg_internal_id == b"1700000000000-0"
    assert event.payload == order
    assert event.queue == "custom"
    assert event.auth_info == AUTH
    op_id = event.track_ids.pop("track.operation_id")
    assert op_id != "old-op"
    uuid.UUID(op_id)
    assert event.track_ids == {
        "stream.name": "app.stream",
        "stream.msg_id": "1700000000000-0",
        "stream.consumer_group": "app.group",
        "stream.submit_ts": "2024-05-06T10:00:00+00:00",
        "stream.event_ts": "2024-05-06T07:08:09.123000+00:00",
        "stream.event_id": "order-1",
        "stream.read_ts": "2024-05-06T10:00:01+00:00",
        "track.request_id": "req-1",
        "track.request_ts": "2024-05-06T07:08:09+00:00",
        "track.session_id": "",
    }


def test_decode_bytes_fields_as_redis_returns_them() -> None:
    """Redis hands back bytes names and values: they decode the same, and a missing header gives ""."""
    fields = {k.encode(): (v if isinstance(v, bytes) else v.encode()) for k, v in encode(queue="q1").items()}
    event = decode(fields, msg_id="1700000000000-5", track_headers=["track.request_id", "track.missing"])
    assert isinstance(event, StreamEvent)
    assert event.msg_internal_id == b"1700000000000-5"
    assert event.queue == "q1"
    assert event.track_ids["track.request_id"] == "req-1"
    assert event.track_ids["track.missing"] == ""
    assert re.match(r"^\d{4}-\d\d-\d\dT", event.track_ids["stream.read_ts"])


def test_decode_missing_queue_and_auth() -> None:
    """Messages of older producers (no queue, no auth_info) read as queue AUTO with empty auth."""
    fields = encode()
    del fields["queue"], fields["auth_info"]
    event = decode(fields, read_ts=None)
    assert isinstance(event, StreamEvent)
    assert event.queue == DEFAULT_QUEUE == "AUTO"
    assert event.auth_info == {}


def test_decode_unknown_type_is_type_error() -> None:
    """A type the reader does not expect comes back as a TypeError item naming it."""
    result = decode(encode(StampedText(stamp="x")))
    assert isinstance(result, TypeError)
    assert "StampedText" in str(result)
    assert "1700000000000-0" in str(result)


def test_decode_bad_payload_is_value_error() -> None:
    """A payload that does not parse comes back as a ValueError item, not an exception raised."""
    fields = encode()
    fields["payload"] = b"not json"
    result = decode(fields)
    assert isinstance(result, ValueError)
    assert "app.stream" in str(result)
    fields = encode()
    fields["comp"] = "nonsense"
    assert isinstance(decode(fields), ValueError)


def test_split_parts_make_the_whole_message() -> None:
    """encode_shared + encode_own hold exactly the fields of encode_messages, and decode the same way."""
    order = make_order()
    common = dict(queue="q1", track_ids=TRACK, auth_info=AUTH, compression=Compression.NONE,
                  serialization=Serialization.JSON_UTF8, submit_ts=SUBMIT_TS)
    shared = encode_shared(**common)  # type: ignore[arg-type]
    own = encode_own(order, Compression.NONE, Serialization.JSON_UTF8)
    [whole] = encode_messages(payloads=[order], **common)  # type: ignore[arg-type]
    assert {**shared, **own} == whole
    assert set(own) == {"id", "type", "event_ts", "payload"}
    reader = MessageReader(stream_name="app.stream", consumer_group="app.group",
                           datatypes={payload_type_name(Order): Order}, track_headers=list(TRACK),
                           read_ts="2024-05-06T10:00:01+00:00")
    split, joined = reader.decode_split(b"1-0", own, shared), reader.decode(b"1-0", whole)
    assert isinstance(split, StreamEvent) and isinstance(joined, StreamEvent)
    split.track_ids.pop("track.operation_id")
    joined.track_ids.pop("track.operation_id")
    assert split == joined
    assert list(split.track_ids) == list(joined.track_ids)


def test_split_messages_of_one_write_get_their_own_track_ids_and_auth() -> None:
    """Messages sharing a part still come back as independent events (changing one leaves the others)."""
    shared = encode_shared(queue="AUTO", track_ids=TRACK, auth_info=AUTH, compression=Compression.NONE,
                           serialization=Serialization.JSON_UTF8)
    reader = MessageReader(stream_name="s", consumer_group="g", datatypes={payload_type_name(Plain): Plain},
                           track_headers=["track.request_id"], read_ts="now")
    first, second = (
        reader.decode_split(f"{i}-0", encode_own(Plain(value=i), Compression.NONE, Serialization.JSON_UTF8), shared)
        for i in range(2)
    )
    assert isinstance(first, StreamEvent) and isinstance(second, StreamEvent)
    first.track_ids["track.request_id"] = "changed"
    first.auth_info["auth_type"] = "Basic"
    assert second.track_ids["track.request_id"] == "req-1" and second.auth_info == AUTH
    assert (first.track_ids["stream.msg_id"], second.track_ids["stream.msg_id"]) == ("0-0", "1-0")
    assert first.track_ids["track.operation_id"] != second.track_ids["track.operation_id"]


def test_bad_shared_part_fails_every_message_of_the_write() -> None:
    """A shared part that cannot be read (unknown serialization) makes each of its messages a refusal."""
    shared = {**encode_shared(queue="AUTO", track_ids={}, auth_info={}, compression=Compression.NONE,
                              serialization=Serialization.JSON_UTF8), "ser": "yaml"}
    reader = MessageReader(stream_name="s", consumer_group="g", datatypes={payload_type_name(Plain): Plain},
                           track_headers=[], read_ts="now")
    own = encode_own(Plain(value=1), Compression.NONE, Serialization.JSON_UTF8)
    results = [reader.decode_split(msg_id, own, shared) for msg_id in (b"1-0", b"2-0")]
    assert [type(r) for r in results] == [MessageRefusedError, MessageRefusedError]
    assert [str(r).split(":")[0] for r in results] == [
        f"Stream message {i}-0 in 's' refused" for i in (1, 2)
    ]
    assert all("serialization 'yaml' is unknown for this stream" in str(r) for r in results)


@pytest.mark.parametrize(
    "value, limit, shown",
    [
        ("plain", 200, "plain"),
        ("two\nlines\r\x00", 200, "two\\nlines\\r\\x00"),
        ("back\\slash", 200, "back\\\\slash"),
        ("\u2028sep", 200, "\\u2028sep"),
        (b"by\xfftes", 200, "by\ufffdtes"),
        ("x" * 50, 10, "xxxxxxxxxx...(50 characters)"),
        ("\x00" * 50, 8, "\\x00\\x00...(50 characters)"),
        ("exact", 5, "exact"),
    ],
    ids=["plain", "control", "backslash", "line-separator", "bytes", "long", "long-escaped", "exact"],
)
def test_escape_text_gives_one_bounded_line(value: Any, limit: int, shown: str) -> None:
    """Values from a stream written into logs and dead letters: one line, escaped, bounded."""
    assert escape_text(value, limit) == shown


def test_error_text_names_the_exception_type() -> None:
    """Dead letters carry ``<type>: <message>``, escaped and bounded."""
    assert error_text(ValueError("bad\nvalue")) == "ValueError: bad\\nvalue"
    assert len(error_text(RuntimeError("x" * 5000))) < 1100
