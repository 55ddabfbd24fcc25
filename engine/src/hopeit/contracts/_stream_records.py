"""The records and errors of the stream contract (``hopeit.contracts.streams``, which re-exports them).

What stream managers hand over and raise: ``StreamEvent`` (a message read), ``StreamWrite`` (where
and how a write goes), ``StreamItem`` (a message with the stream it came from), the serializations
every stream reads, and the errors.
"""

from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, NamedTuple, Optional, Tuple, Union

from hopeit.contracts.settings import AuthType, Compression, Serialization
from hopeit.dataobjects import EventPayload

__all__ = [
    "SAFE_SERIALIZATIONS",
    "MessageRefusedError",
    "StreamBusyError",
    "StreamConfigError",
    "StreamEvent",
    "StreamGroupStats",
    "StreamItem",
    "StreamOSError",
    "StreamWrite",
    "stream_auth_info",
]

#: Serializations every stream reads: JSON only builds data. Pickle runs code while loading, so a
#: stream reads it only where the reading event's config asks for it (``allow_serializations``).
SAFE_SERIALIZATIONS: FrozenSet[Serialization] = frozenset({Serialization.JSON_UTF8, Serialization.JSON_BASE64})


@dataclass
class StreamEvent:
    """A message read from a stream: its payload, queue, track ids and the sender's auth info."""

    msg_internal_id: bytes
    queue: str
    payload: EventPayload
    track_ids: Dict[str, str]
    auth_info: Dict[str, Any] = field(default_factory=dict)


class StreamWrite(NamedTuple):
    """Where and how ``StreamManager.publish`` writes: everything a write says but its payloads.

    An immutable record (a named tuple: cheap to build once per write). ``queue`` is stored in each
    message; ``stream_name`` already carries its suffix. ``target_max_len`` > 0 trims the stream to
    about that many entries.
    """

    stream_name: str
    queue: str
    track_ids: Dict[str, str]
    auth_info: Dict[str, Any]
    compression: Compression
    serialization: Serialization
    target_max_len: int = 0

    def keywords(self) -> Dict[str, Any]:
        """The keyword arguments of ``write_stream``/``write_stream_batch`` (but the payloads) it stands for."""
        return self._asdict()


class StreamOSError(Exception):
    """The stream backend cannot be reached; the engine backs off and retries."""


class StreamBusyError(StreamOSError):
    """The backend answers, but every connection stayed busy for longer than the configured wait.

    The call failed (callers answer 503, as for any ``StreamOSError``) but the backend is healthy:
    circuit breakers do not count it as a failure.
    """


class StreamConfigError(Exception):
    """Streams are used by an app but not configured properly."""


class MessageRefusedError(ValueError):
    """A stream message this reader refuses to decode, e.g. a serialization its config does not allow.

    Nothing of the payload was decoded. Stream managers dead-letter such messages at once (they can
    never be read) and return this error as the item of the read, so the engine logs it once.
    """

    def __init__(self, message: str, *, msg_id: bytes = b"", reason: str = "") -> None:
        super().__init__(message)
        #: id of the refused message in its stream
        self.msg_id = msg_id
        #: why it was refused, without the message id (for the dead-letter entry)
        self.reason = reason or message


def stream_auth_info(stream_event: StreamEvent) -> Dict[str, Any]:
    """Auth info carried by a message, with ``auth_type`` as an ``AuthType`` (default Unsecured)."""
    info = dict(stream_event.auth_info)
    value = info.get("auth_type", AuthType.UNSECURED)
    info["auth_type"] = _AUTH_TYPES.get(value) or AuthType(value)
    return info


_AUTH_TYPES = {auth_type.value: auth_type for auth_type in AuthType}

#: What ``StreamManager.read_streams`` gives for each message: the stream it was read from, and the
#: message (or the error that stands for it).
StreamItem = Tuple[str, Union[StreamEvent, Exception]]


@dataclass(frozen=True)
class StreamGroupStats:
    """What a stream manager tells of one consumer group of a stream (``StreamManager.group_stats``).

    .. versionadded:: 1.0
    """

    #: messages delivered to the group and not acknowledged yet (Redis ``XINFO GROUPS`` ``pending``)
    pending: int
    #: messages of the stream not delivered to the group yet (Redis 7 ``lag``); None when the backend cannot tell
    lag: Optional[int] = None
    #: messages this manager moved to the dead-letter stream for the group since it started
    dead_lettered: int = 0
