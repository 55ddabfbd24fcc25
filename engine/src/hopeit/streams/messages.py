"""The stream message format every stream manager writes and reads.

Field names and values follow the redis-streams wire format of hopeit.engine 0.24, so messages
written by the original engine and by this one read each other:

========== ====================================================================
field      value
========== ====================================================================
id         ``payload.event_id()``
type       ``<module>.<qualname>`` of the payload class
submit_ts  UTC ISO time of writing
event_ts   ``payload.event_ts()`` as UTC ISO, or ``""``
<track id> one field per context track id (``track.request_id``, ...)
auth_info  base64 of the JSON auth info
ser / comp serialization and compression values
payload    serialized, compressed payload bytes
queue      queue name
========== ====================================================================
"""

import base64
import json
import uuid
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Union

from hopeit.app.config import Compression, Serialization
from hopeit.dataobjects import EventPayload
from hopeit.streams import StreamEvent
from hopeit.streams.serialization import deserialize_payload, serialize_payload

__all__ = [
    "DEFAULT_QUEUE",
    "MessageFields",
    "decode_message",
    "encode_message",
    "encode_messages",
    "payload_type_name",
]

DEFAULT_QUEUE = "AUTO"

#: Field name -> value; readers may get ``bytes`` names and values (redis) or ``str`` ones.
MessageFields = Dict[str, Union[str, bytes]]


def payload_type_name(datatype: type) -> str:
    """Name under which a payload type travels: ``<module>.<qualname>``."""
    return f"{datatype.__module__}.{datatype.__qualname__}"


def _utc_iso(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat()


def utc_iso_now() -> str:
    """Current UTC time in ISO format, as written in ``submit_ts`` and ``stream.read_ts``."""
    return datetime.now(tz=timezone.utc).isoformat()


def _common_fields(
    track_ids: Mapping[str, Optional[str]],
    auth_info: Mapping[str, Any],
    compression: Compression,
    serialization: Serialization,
) -> MessageFields:
    fields: MessageFields = {key: "" if value is None else value for key, value in track_ids.items()}
    fields["auth_info"] = base64.b64encode(json.dumps(dict(auth_info), default=str).encode())
    fields["ser"] = serialization.value
    fields["comp"] = compression.value
    return fields


def _payload_fields(
    payload: Any,
    submit_ts: str,
    compression: Compression,
    serialization: Serialization,
    common: MessageFields,
    queue: bytes,
) -> MessageFields:
    event_ts = payload.event_ts()
    fields: MessageFields = {
        "id": payload.event_id(),
        "type": payload_type_name(type(payload)),
        "submit_ts": submit_ts,
        "event_ts": _utc_iso(event_ts)
        if isinstance(event_ts, datetime)
        else (event_ts if isinstance(event_ts, str) else ""),
    }
    fields.update(common)
    fields["payload"] = serialize_payload(payload, serialization, compression)
    fields["queue"] = queue
    return fields


def encode_message(
    *,
    payload: EventPayload,
    queue: str,
    track_ids: Mapping[str, Optional[str]],
    auth_info: Mapping[str, Any],
    compression: Compression,
    serialization: Serialization,
    submit_ts: Optional[datetime] = None,
) -> MessageFields:
    """Fields of one stream message for ``payload`` (a ``@dataobject``)."""
    return encode_messages(
        payloads=[payload],
        queue=queue,
        track_ids=track_ids,
        auth_info=auth_info,
        compression=compression,
        serialization=serialization,
        submit_ts=submit_ts,
    )[0]


def encode_messages(
    *,
    payloads: List[EventPayload],
    queue: str,
    track_ids: Mapping[str, Optional[str]],
    auth_info: Mapping[str, Any],
    compression: Compression,
    serialization: Serialization,
    submit_ts: Optional[datetime] = None,
) -> List[MessageFields]:
    """Fields of one message per payload; what the messages share is encoded once."""
    common = _common_fields(track_ids, auth_info, compression, serialization)
    submitted = _utc_iso(submit_ts or datetime.now(tz=timezone.utc))
    queue_bytes = queue.encode()
    return [
        _payload_fields(payload, submitted, compression, serialization, common, queue_bytes) for payload in payloads
    ]


def _text(value: Union[str, bytes, None], default: str = "") -> str:
    if value is None:
        return default
    return value.decode() if isinstance(value, bytes) else value


_SERIALIZATIONS = {s.value: s for s in Serialization}
_COMPRESSIONS = {c.value: c for c in Compression}
_auth_cache: Dict[Any, Dict[str, Any]] = {}


def _auth_info(raw: Any) -> Dict[str, Any]:
    """Decoded auth info; the messages of one request share it, so decoded values are kept (bounded)."""
    if not raw:
        return {}
    found = _auth_cache.get(raw)
    if found is None:
        if len(_auth_cache) > 1024:
            _auth_cache.clear()
        found = _auth_cache[raw] = json.loads(base64.b64decode(raw))
    return dict(found)


_last_read_ts: List[Any] = [None, ""]


def _read_ts_text(read_ts: Optional[datetime]) -> str:
    # readers pass one read_ts per batch: format it once
    if read_ts is None:
        return utc_iso_now()
    if read_ts is not _last_read_ts[0]:
        _last_read_ts[:] = [read_ts, _utc_iso(read_ts)]
    return str(_last_read_ts[1])


def _str_keys(fields: Mapping[Any, Any]) -> Mapping[str, Any]:
    for key in fields:
        if isinstance(key, bytes):
            return {k.decode(): v for k, v in fields.items()}
        break
    return fields


def decode_message(
    fields: Mapping[Any, Any],
    *,
    msg_id: Union[str, bytes],
    stream_name: str,
    consumer_group: str,
    datatypes: Mapping[str, type],
    track_headers: List[str],
    read_ts: Optional[datetime] = None,
    read_ts_text: Optional[str] = None,
) -> Union[StreamEvent, Exception]:
    """Rebuild the ``StreamEvent`` of a message, or the exception saying why it cannot be read.

    Readers decoding a batch pass ``read_ts_text`` (``utc_iso_now()``, computed once per batch).
    """
    msg_internal_id = msg_id if isinstance(msg_id, bytes) else msg_id.encode()
    fields = _str_keys(fields)
    get = fields.get
    try:
        type_name = _text(get("type"))
        datatype = datatypes.get(type_name)
        if datatype is None:
            return TypeError(
                f"Stream message {msg_internal_id.decode()} of type '{type_name}' in '{stream_name}' "
                f"is not one of the types this event reads: {sorted(datatypes)}"
            )
        ser, comp = _text(get("ser")), _text(get("comp"))
        payload: Any = deserialize_payload(
            get("payload") or b"",
            _SERIALIZATIONS.get(ser) or Serialization(ser),
            _COMPRESSIONS.get(comp) or Compression(comp),
            datatype,
        )
        auth_info = _auth_info(get("auth_info"))
        track_ids = {
            "stream.name": stream_name,
            "stream.msg_id": msg_internal_id.decode(),
            "stream.consumer_group": consumer_group,
            "stream.submit_ts": _text(get("submit_ts")),
            "stream.event_ts": _text(get("event_ts")),
            "stream.event_id": _text(get("id")),
            "stream.read_ts": read_ts_text or _read_ts_text(read_ts),
        }
        for header in track_headers:
            track_ids[header] = _text(get(header))
        track_ids["track.operation_id"] = str(uuid.uuid4())
        queue = _text(get("queue"), DEFAULT_QUEUE)
        return StreamEvent(
            msg_internal_id=msg_internal_id, queue=queue, payload=payload, track_ids=track_ids, auth_info=auth_info
        )
    except Exception as exc:  # noqa: BLE001 - a bad message is reported, the batch goes on
        return ValueError(f"Cannot read stream message {msg_internal_id.decode()} from '{stream_name}': {exc}")
