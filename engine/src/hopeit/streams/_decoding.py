"""Reading stream messages back: fields -> ``StreamEvent`` (see ``hopeit.streams.messages``)."""

import base64
import json
from typing import AbstractSet, Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Tuple, Union

from hopeit.app.config import Compression, Serialization
from hopeit.app.trace_context import TRACEPARENT, TRACESTATE
from hopeit.dataobjects.ids import new_id
from hopeit.streams import SAFE_SERIALIZATIONS, MessageRefusedError, StreamEvent
from hopeit.streams.serialization import deserialize_payload

__all__ = ["DEFAULT_QUEUE", "MessageFields", "MessageReader", "encode_auth_info", "escape_text"]

DEFAULT_QUEUE = "AUTO"

#: Field name -> value; readers may get ``bytes`` names and values (redis) or ``str`` ones.
MessageFields = Dict[str, Union[str, bytes]]

#: ``ser`` field value (as str or as bytes) -> Serialization
_SERIALIZATIONS: Dict[Any, Serialization] = {
    **{s.value: s for s in Serialization},
    **{s.value.encode(): s for s in Serialization},
}
_COMPRESSIONS = {c.value: c for c in Compression}
_auth_cache: Dict[Any, Dict[str, Any]] = {}


def escape_text(value: Any, limit: int = 200) -> str:
    """``value`` as text fit for one log line or record: at most ``limit`` characters, one line.

    Message fields come from whoever can write to the stream: control and other non-printable
    characters (and backslashes, so escapes cannot be forged) are written as Python escapes.
    """
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    text = value if isinstance(value, str) else str(value)
    length = len(text)
    text = text[:limit]  # cut before escaping: a huge value costs no more than a short one
    if not text.isprintable() or "\\" in text:
        text = "".join(
            ch if ch.isprintable() and ch != "\\" else ch.encode("unicode_escape").decode("ascii") for ch in text
        )
    if length <= limit and len(text) <= limit:
        return text
    return f"{text[:limit]}...({length} characters)"


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


class _Keys(NamedTuple):
    """Field names of a message, as ``str`` (in-process messages) or ``bytes`` (read from Redis)."""

    id: Any
    type: Any
    submit_ts: Any
    event_ts: Any
    auth_info: Any
    ser: Any
    comp: Any
    payload: Any
    queue: Any
    traceparent: Any
    tracestate: Any


_STR_KEYS = _Keys(*_Keys._fields)
_BYTES_KEYS = _Keys(*(name.encode() for name in _Keys._fields))


def _keys_of(fields: Mapping[Any, Any]) -> _Keys:
    for key in fields:
        return _BYTES_KEYS if key.__class__ is bytes else _STR_KEYS
    return _STR_KEYS


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

    __slots__ = (
        "_bytes_headers",
        "_shared",
        "_str_headers",
        "consumer_group",
        "datatypes",
        "read_ts",
        "serializations",
        "stream_name",
    )

    def __init__(
        self,
        *,
        stream_name: str,
        consumer_group: str,
        datatypes: Mapping[str, type],
        track_headers: List[str],
        read_ts: str,
        serializations: Optional[AbstractSet[Serialization]] = None,
    ) -> None:
        self.stream_name = stream_name
        self.consumer_group = consumer_group
        self.datatypes = datatypes
        self.read_ts = read_ts
        #: the serializations decoded; a message naming any other is refused (default: JSON only)
        self.serializations = SAFE_SERIALIZATIONS if serializations is None else serializations
        self._str_headers = [(h, h) for h in track_headers]  # (track id, its field name)
        self._bytes_headers = [(h, h.encode()) for h in track_headers]
        # id of a shared part -> (the part, kept so its id stays unique while cached; its decoding)
        self._shared: Dict[int, Tuple[Mapping[str, Any], Union[_Shared, Exception]]] = {}

    def _serialization(self, raw: Any) -> Serialization:
        """The message's serialization, checked against the allowed ones before anything is decoded."""
        serialization = _SERIALIZATIONS.get(raw)
        if serialization is not None and serialization in self.serializations:
            return serialization
        shown = escape_text(raw or "", 40)
        problem = "is unknown" if serialization is None else "is not allowed"
        allowed = ", ".join(sorted(s.value for s in self.serializations))
        raise MessageRefusedError(
            f"serialization '{shown}' {problem} for this stream (it reads: {allowed}); the message was not decoded. "
            "If its producers are trusted to send pickle, set the reading event's settings.stream.serialization "
            "to a pickle protocol",
        )

    def _decode_shared(self, get: Callable[[Any], Any], keys: _Keys) -> _Shared:
        serialization = self._serialization(get(keys.ser))
        comp = _text(get(keys.comp))
        track_ids = {
            "stream.name": self.stream_name,
            "stream.msg_id": "",
            "stream.consumer_group": self.consumer_group,
            "stream.submit_ts": _text(get(keys.submit_ts)),
            "stream.event_ts": "",
            "stream.event_id": "",
            "stream.read_ts": self.read_ts,
        }
        for header, key in self._bytes_headers if keys is _BYTES_KEYS else self._str_headers:
            track_ids[header] = _text(get(key))
        track_ids["track.operation_id"] = ""
        parent = get(keys.traceparent)
        if parent:  # the writer's trace context: the reading event continues it (not a track id)
            track_ids[TRACEPARENT] = _text(parent)
            state = get(keys.tracestate)
            if state:
                track_ids[TRACESTATE] = _text(state)
        return _Shared(
            serialization,
            _COMPRESSIONS.get(comp) or Compression(comp),
            _auth_info(get(keys.auth_info)),
            track_ids,
            _text(get(keys.queue), DEFAULT_QUEUE),
        )

    def decode(self, msg_id: Union[str, bytes], fields: Mapping[Any, Any]) -> Union[StreamEvent, Exception]:
        """The ``StreamEvent`` of a whole message, or the exception saying why it cannot be read."""
        get, keys = fields.get, _keys_of(fields)
        try:
            shared = self._decode_shared(get, keys)
        except Exception as exc:  # noqa: BLE001 - a bad message is reported, the batch goes on
            return self._error(msg_id, exc)
        return self._decode_own(msg_id, get, keys, shared, shared.track_ids)

    def decode_split(
        self, msg_id: Union[str, bytes], own: Mapping[str, Any], shared_fields: Mapping[str, Any]
    ) -> Union[StreamEvent, Exception]:
        """The ``StreamEvent`` of a message kept as its own fields and the fields its write shares."""
        cached = self._shared.get(id(shared_fields))
        if cached is None:
            try:
                decoded: Union[_Shared, Exception] = self._decode_shared(shared_fields.get, _keys_of(shared_fields))
            except Exception as exc:  # noqa: BLE001
                decoded = exc
            cached = self._shared[id(shared_fields)] = (shared_fields, decoded)
        shared = cached[1]
        if isinstance(shared, Exception):
            return self._error(msg_id, shared)
        return self._decode_own(msg_id, own.get, _keys_of(own), shared, dict(shared.track_ids))

    def _decode_own(
        self, msg_id: Union[str, bytes], get: Callable[[Any], Any], keys: _Keys, shared: _Shared,
        track_ids: Dict[str, str],
    ) -> Union[StreamEvent, Exception]:
        try:
            type_name = _text(get(keys.type))
            datatype = self.datatypes.get(type_name)
            if datatype is None:
                return TypeError(
                    f"Stream message {escape_text(msg_id)} of type '{escape_text(type_name)}' in "
                    f"'{self.stream_name}' is not one of the types this event reads: {sorted(self.datatypes)}"
                )
            payload: Any = deserialize_payload(
                get(keys.payload) or b"", shared.serialization, shared.compression, datatype
            )
            track_ids["stream.msg_id"] = _text(msg_id)
            track_ids["stream.event_ts"] = _text(get(keys.event_ts))
            track_ids["stream.event_id"] = _text(get(keys.id))
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
        shown_id = escape_text(msg_id)
        if isinstance(exc, MessageRefusedError):
            return MessageRefusedError(
                f"Stream message {shown_id} in '{self.stream_name}' refused: {exc.reason}",
                msg_id=msg_id if isinstance(msg_id, bytes) else msg_id.encode(),
                reason=exc.reason,
            )
        return ValueError(f"Cannot read stream message {shown_id} from '{self.stream_name}': {escape_text(exc, 1000)}")

