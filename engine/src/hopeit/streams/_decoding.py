"""Reading stream messages back: fields -> ``StreamEvent`` (see ``hopeit.streams.messages``)."""

import base64
import json
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Tuple, Union

from hopeit.app.config import Compression, Serialization
from hopeit.dataobjects._unique import new_id
from hopeit.streams import StreamEvent
from hopeit.streams.serialization import deserialize_payload

__all__ = ["DEFAULT_QUEUE", "MessageFields", "MessageReader", "encode_auth_info"]

DEFAULT_QUEUE = "AUTO"

#: Field name -> value; readers may get ``bytes`` names and values (redis) or ``str`` ones.
MessageFields = Dict[str, Union[str, bytes]]

_SERIALIZATIONS = {s.value: s for s in Serialization}
_COMPRESSIONS = {c.value: c for c in Compression}
_auth_cache: Dict[Any, Dict[str, Any]] = {}


def encode_auth_info(auth_info: Mapping[str, Any]) -> bytes:
    """The ``auth_info`` field: base64 of the JSON (``json.dumps`` default separators, as 0.24)."""
    return base64.b64encode(json.dumps(dict(auth_info), default=str).encode())


def _auth_info(raw: Any) -> Dict[str, Any]:
    """Decoded auth info; the messages of one request share it, so decoded values are kept (bounded)."""
    if not raw:
        return {}
    found = _auth_cache.get(raw)
    if found is None:
        if len(_auth_cache) > 1024:
            _auth_cache.clear()
        found = _auth_cache[raw] = json.loads(base64.b64decode(raw))
    return found


def _text(value: Union[str, bytes, None], default: str = "") -> str:
    if value.__class__ is str:
        return value  # type: ignore[return-value]
    if not value:
        return default
    return value.decode()  # type: ignore[union-attr]


def _str_keys(fields: Mapping[Any, Any]) -> Mapping[str, Any]:
    for key in fields:
        if isinstance(key, bytes):
            return {k.decode(): v for k, v in fields.items()}
        break
    return fields


class _Shared(NamedTuple):
    """What the messages of one write have in common, decoded."""

    serialization: Serialization
    compression: Compression
    auth_info: Dict[str, Any]
    track_ids: Dict[str, str]  # with "" where each message puts its own value
    queue: str


class MessageReader:
    """Decodes the messages of one read: where they were read, the accepted types, the read time.

    ``decode`` takes whole messages (``encode_messages``); ``decode_split`` takes the two parts of
    ``encode_own`` / ``encode_shared``, decoding each shared part once.
    """

    __slots__ = ("_shared", "consumer_group", "datatypes", "read_ts", "stream_name", "track_headers")

    def __init__(
        self,
        *,
        stream_name: str,
        consumer_group: str,
        datatypes: Mapping[str, type],
        track_headers: List[str],
        read_ts: str,
    ) -> None:
        self.stream_name = stream_name
        self.consumer_group = consumer_group
        self.datatypes = datatypes
        self.track_headers = track_headers
        self.read_ts = read_ts
        # id of a shared part -> (the part, kept so its id stays unique while cached; its decoding)
        self._shared: Dict[int, Tuple[Mapping[str, Any], Union[_Shared, Exception]]] = {}

    def _decode_shared(self, get: Callable[[str], Any]) -> _Shared:
        ser, comp = _text(get("ser")), _text(get("comp"))
        track_ids = {
            "stream.name": self.stream_name,
            "stream.msg_id": "",
            "stream.consumer_group": self.consumer_group,
            "stream.submit_ts": _text(get("submit_ts")),
            "stream.event_ts": "",
            "stream.event_id": "",
            "stream.read_ts": self.read_ts,
        }
        for header in self.track_headers:
            track_ids[header] = _text(get(header))
        track_ids["track.operation_id"] = ""
        return _Shared(
            _SERIALIZATIONS.get(ser) or Serialization(ser),
            _COMPRESSIONS.get(comp) or Compression(comp),
            _auth_info(get("auth_info")),
            track_ids,
            _text(get("queue"), DEFAULT_QUEUE),
        )

    def decode(self, msg_id: Union[str, bytes], fields: Mapping[Any, Any]) -> Union[StreamEvent, Exception]:
        """The ``StreamEvent`` of a whole message, or the exception saying why it cannot be read."""
        get = _str_keys(fields).get
        try:
            shared = self._decode_shared(get)
        except Exception as exc:  # noqa: BLE001 - a bad message is reported, the batch goes on
            return self._error(msg_id, exc)
        return self._decode_own(msg_id, get, shared, shared.track_ids)

    def decode_split(
        self, msg_id: Union[str, bytes], own: Mapping[str, Any], shared_fields: Mapping[str, Any]
    ) -> Union[StreamEvent, Exception]:
        """The ``StreamEvent`` of a message kept as its own fields and the fields its write shares."""
        cached = self._shared.get(id(shared_fields))
        if cached is None:
            try:
                decoded: Union[_Shared, Exception] = self._decode_shared(shared_fields.get)
            except Exception as exc:  # noqa: BLE001
                decoded = exc
            cached = self._shared[id(shared_fields)] = (shared_fields, decoded)
        shared = cached[1]
        if isinstance(shared, Exception):
            return self._error(msg_id, shared)
        return self._decode_own(msg_id, own.get, shared, dict(shared.track_ids))

    def _decode_own(
        self, msg_id: Union[str, bytes], get: Callable[[str], Any], shared: _Shared, track_ids: Dict[str, str]
    ) -> Union[StreamEvent, Exception]:
        try:
            type_name = _text(get("type"))
            datatype = self.datatypes.get(type_name)
            if datatype is None:
                return TypeError(
                    f"Stream message {_text(msg_id)} of type '{type_name}' in '{self.stream_name}' "
                    f"is not one of the types this event reads: {sorted(self.datatypes)}"
                )
            payload: Any = deserialize_payload(
                get("payload") or b"", shared.serialization, shared.compression, datatype
            )
            msg_text = _text(msg_id)
            track_ids["stream.msg_id"] = msg_text
            track_ids["stream.event_ts"] = _text(get("event_ts"))
            track_ids["stream.event_id"] = _text(get("id"))
            track_ids["track.operation_id"] = new_id()
            return StreamEvent(
                msg_internal_id=msg_id if isinstance(msg_id, bytes) else msg_id.encode(),
                queue=shared.queue,
                payload=payload,
                track_ids=track_ids,
                auth_info=dict(shared.auth_info),
            )
        except Exception as exc:  # noqa: BLE001
            return self._error(msg_id, exc)

    def _error(self, msg_id: Union[str, bytes], exc: Exception) -> Exception:
        return ValueError(f"Cannot read stream message {_text(msg_id)} from '{self.stream_name}': {exc}")

