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

__all__ = ["DEFAULT_QUEUE", "MessageFields", "decode_message", "encode_message", "payload_type_name"]

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
    event_ts = payload.event_ts()  # type: ignore[union-attr]
    if isinstance(event_ts, datetime):
        event_ts = _utc_iso(event_ts)
    fields: MessageFields = {
        "id": payload.event_id(),  # type: ignore[union-attr]
        "type": payload_type_name(type(payload)),
        "submit_ts": _utc_iso(submit_ts or datetime.now(tz=timezone.utc)),
        "event_ts": event_ts if isinstance(event_ts, str) else "",
    }
    for key, value in track_ids.items():
        fields[key] = "" if value is None else value
    fields["auth_info"] = base64.b64encode(json.dumps(dict(auth_info), default=str).encode())
    fields["ser"] = serialization.value
    fields["comp"] = compression.value
    fields["payload"] = serialize_payload(payload, serialization, compression)
    fields["queue"] = queue.encode()
    return fields


def _text(value: Union[str, bytes, None], default: str = "") -> str:
    if value is None:
        return default
    return value.decode() if isinstance(value, bytes) else value


def _field(fields: Mapping[Any, Any], name: str) -> Any:
    found = fields.get(name)
    return fields.get(name.encode()) if found is None else found


def decode_message(
    fields: Mapping[Any, Any],
    *,
    msg_id: Union[str, bytes],
    stream_name: str,
    consumer_group: str,
    datatypes: Mapping[str, type],
    track_headers: List[str],
    read_ts: Optional[datetime] = None,
) -> Union[StreamEvent, Exception]:
    """Rebuild the ``StreamEvent`` of a message, or the exception saying why it cannot be read."""
    msg_internal_id = msg_id if isinstance(msg_id, bytes) else msg_id.encode()
    try:
        type_name = _text(_field(fields, "type"))
        datatype = datatypes.get(type_name)
        if datatype is None:
            return TypeError(
                f"Stream message {msg_internal_id.decode()} of type '{type_name}' in '{stream_name}' "
                f"is not one of the types this event reads: {sorted(datatypes)}"
            )
        payload: Any = deserialize_payload(
            _field(fields, "payload"),
            Serialization(_text(_field(fields, "ser"))),
            Compression(_text(_field(fields, "comp"))),
            datatype,
        )
        auth_raw = _field(fields, "auth_info")
        auth_info = json.loads(base64.b64decode(auth_raw)) if auth_raw else {}
        track_ids = {
            "stream.name": stream_name,
            "stream.msg_id": msg_internal_id.decode(),
            "stream.consumer_group": consumer_group,
            "stream.submit_ts": _text(_field(fields, "submit_ts")),
            "stream.event_ts": _text(_field(fields, "event_ts")),
            "stream.event_id": _text(_field(fields, "id")),
            "stream.read_ts": _utc_iso(read_ts or datetime.now(tz=timezone.utc)),
        }
        for header in track_headers:
            track_ids[header] = _text(_field(fields, header))
        track_ids["track.operation_id"] = str(uuid.uuid4())
        queue = _text(_field(fields, "queue"), DEFAULT_QUEUE)
        return StreamEvent(
            msg_internal_id=msg_internal_id, queue=queue, payload=payload, track_ids=track_ids, auth_info=auth_info
        )
    except Exception as exc:  # noqa: BLE001 - a bad message is reported, the batch goes on
        return ValueError(f"Cannot read stream message {msg_internal_id.decode()} from '{stream_name}': {exc}")
