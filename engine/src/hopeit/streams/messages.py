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

Messages written by an event also carry its W3C trace context (``hopeit.app.trace_context``): a
``traceparent`` field (a child span of the writing event) and ``tracestate`` when there is one,
beside the track ids. 0.24 readers ignore them; readers here hand them to the reading event.

The messages of one write share everything but ``id``, ``type``, ``event_ts`` and ``payload``.
``encode_shared`` / ``encode_own`` return the two parts, for backends that keep the shared part
once per write (the in-process manager); ``encode_messages`` returns whole messages.
"""

from datetime import datetime, timezone
from typing import AbstractSet, Any, Dict, List, Mapping, Optional, Union

from hopeit.app.config import Compression, Serialization
from hopeit.dataobjects import EventPayload
from hopeit.dataobjects.ids import utc_now_iso
from hopeit.streams import StreamEvent
from hopeit.streams._decoding import DEFAULT_QUEUE, MessageFields, MessageReader, encode_auth_info, escape_text
from hopeit.streams.serialization import serialize_payload

__all__ = [
    "DEFAULT_QUEUE",
    "MAX_ERROR_LENGTH",
    "MessageFields",
    "MessageReader",
    "decode_message",
    "encode_message",
    "encode_messages",
    "encode_own",
    "encode_shared",
    "error_text",
    "escape_text",
    "payload_type_name",
    "utc_iso_now",
]

#: Longest error text kept in a dead-letter entry (``dlq.error``).
MAX_ERROR_LENGTH = 1000


def error_text(error: BaseException, limit: int = MAX_ERROR_LENGTH) -> str:
    """``<ExceptionType>: <message>`` of ``error``, escaped to one line and at most about ``limit`` characters."""
    return escape_text(f"{type(error).__name__}: {error}", limit)

_type_names: Dict[type, str] = {}


def payload_type_name(datatype: type) -> str:
    """Name under which a payload type travels: ``<module>.<qualname>``."""
    found = _type_names.get(datatype)
    if found is None:
        found = f"{datatype.__module__}.{datatype.__qualname__}"
        if len(_type_names) < 4096:
            _type_names[datatype] = found
    return found


def _utc_iso(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat()


def utc_iso_now() -> str:
    """Current UTC time in ISO format, as written in ``submit_ts`` and ``stream.read_ts``."""
    return utc_now_iso()


def encode_shared(
    *,
    queue: str,
    track_ids: Mapping[str, Optional[str]],
    auth_info: Mapping[str, Any],
    compression: Compression,
    serialization: Serialization,
    submit_ts: Optional[datetime] = None,
) -> MessageFields:
    """The fields every message of one write shares, in wire order: ``submit_ts`` ... ``comp``, ``queue``."""
    fields: MessageFields = {"submit_ts": utc_now_iso() if submit_ts is None else _utc_iso(submit_ts)}
    for key, value in track_ids.items():
        fields[key] = "" if value is None else value
    fields["auth_info"] = encode_auth_info(auth_info)
    fields["ser"] = serialization.value
    fields["comp"] = compression.value
    fields["queue"] = queue.encode()
    return fields


def encode_own(payload: Any, compression: Compression, serialization: Serialization) -> MessageFields:
    """The fields of one message of its own: ``id``, ``type``, ``event_ts`` and ``payload``."""
    event_ts = payload.event_ts()
    return {
        "id": payload.event_id(),
        "type": payload_type_name(type(payload)),
        "event_ts": _utc_iso(event_ts) if isinstance(event_ts, datetime) else (
            event_ts if isinstance(event_ts, str) else ""
        ),
        "payload": serialize_payload(payload, serialization, compression),
    }


def _whole(own: MessageFields, shared: MessageFields) -> MessageFields:
    fields: MessageFields = {"id": own["id"], "type": own["type"]}
    for key, value in shared.items():
        if key == "submit_ts":
            fields[key] = value
            fields["event_ts"] = own["event_ts"]
        elif key != "queue":
            fields[key] = value
    fields["payload"] = own["payload"]
    fields["queue"] = shared["queue"]
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
    """Fields of one message per payload, in wire order; what the messages share is encoded once."""
    shared = encode_shared(
        queue=queue,
        track_ids=track_ids,
        auth_info=auth_info,
        compression=compression,
        serialization=serialization,
        submit_ts=submit_ts,
    )
    return [_whole(encode_own(payload, compression, serialization), shared) for payload in payloads]


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
    serializations: Optional[AbstractSet[Serialization]] = None,
) -> Union[StreamEvent, Exception]:
    """Rebuild the ``StreamEvent`` of a message, or the exception saying why it cannot be read.

    ``read_ts`` (or its text, ``read_ts_text``) is the time of the read; now when neither is given.
    A message whose serialization is not in ``serializations`` (default: the JSON ones) comes back
    as ``MessageRefusedError``, its payload untouched.
    """
    reader = MessageReader(
        stream_name=stream_name,
        consumer_group=consumer_group,
        datatypes=datatypes,
        track_headers=track_headers,
        read_ts=read_ts_text or (utc_now_iso() if read_ts is None else _utc_iso(read_ts)),
        serializations=serializations,
    )
    return reader.decode(msg_id, fields)

