"""W3C Trace Context (``traceparent`` / ``tracestate``): parsing, formatting and the trace of an event.

An incoming ``traceparent`` (an HTTP header, or a field of a stream message) continues in the
event that receives it; with none (or an invalid one, as the spec says) a new trace is started.
Nothing is generated until something needs it: ``EventContext.trace`` parses or starts the trace
of an event once, on first use (a message written, an app-to-app call, a span), so a request that
writes nothing and calls nothing pays for no ids, and every message of one event shares its trace.

Spans are recorded only when OpenTelemetry is enabled (``hopeit.server.otel``, the ``otel``
extra): it installs ``SpanHooks`` here. Without it, an outgoing call or write gets a child span id
of its own, so the receiver's parent is the call, as the spec has it.

Format (version ``00``)::

    traceparent: 00-<trace-id: 32 hex>-<parent-id: 16 hex>-<trace-flags: 2 hex>

Lowercase hex only; all-zero ids are invalid; version ``ff`` is invalid; a higher version is read
as far as version 00 reaches (its first four fields), and we write version 00.
"""

import random
from typing import Any, Dict, List, Optional, Tuple

__all__ = [
    "MAX_TRACESTATE_LENGTH",
    "TRACEPARENT",
    "TRACESTATE",
    "OutgoingTrace",
    "SpanHooks",
    "TraceContext",
    "format_traceparent",
    "new_span_id",
    "new_trace_id",
    "parse_traceparent",
    "parse_tracestate",
]

#: Header and message field names (and the keys under which the web layer and stream readers hand
#: them to the context, beside the track ids: never a track id themselves, so never logged or echoed).
TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"

#: Longest ``tracestate`` passed on; the spec asks to pass on at least 512 characters, dropping
#: whole list members from the end when cutting. At most 32 members.
MAX_TRACESTATE_LENGTH = 512
_MAX_TRACESTATE_MEMBERS = 32

_HEX = frozenset("0123456789abcdef")
_ZERO_TRACE = "0" * 32
_ZERO_SPAN = "0" * 16
_SAMPLED = 0x01

_random_bits = random.getrandbits  # reseeded in forked children by the random module itself


def new_trace_id() -> str:
    """A random, valid (never all-zero) trace id: 32 lowercase hex digits."""
    value = _random_bits(128)
    while not value:  # pragma: no cover - one chance in 2**128
        value = _random_bits(128)
    return "%032x" % value  # noqa: UP031 - the fastest way to a zero-padded hex string


def new_span_id() -> str:
    """A random, valid (never all-zero) span id: 16 lowercase hex digits."""
    value = _random_bits(64)
    while not value:  # pragma: no cover - one chance in 2**64
        value = _random_bits(64)
    return "%016x" % value  # noqa: UP031


def _is_hex(text: str) -> bool:
    return _HEX.issuperset(text)


def parse_traceparent(header: Optional[str]) -> Optional[Tuple[str, str, int]]:
    """``(trace_id, parent_id, flags)`` of a ``traceparent`` value, or None when it is absent or invalid."""
    if not header:
        return None
    text = header.strip(" \t")
    if len(text) < 55 or text[2] != "-" or text[35] != "-" or text[52] != "-":
        return None
    version = text[:2]
    if not _is_hex(version) or version == "ff":
        return None
    if version == "00":
        if len(text) != 55:
            return None
    elif len(text) > 55 and text[55] != "-":  # a later version may add fields, after a dash
        return None
    trace_id, parent_id, flags = text[3:35], text[36:52], text[53:55]
    if not (_is_hex(trace_id) and _is_hex(parent_id) and _is_hex(flags)):
        return None
    if trace_id == _ZERO_TRACE or parent_id == _ZERO_SPAN:
        return None
    return trace_id, parent_id, int(flags, 16)


def format_traceparent(trace_id: str, span_id: str, flags: int) -> str:
    """The version 00 ``traceparent`` of a span; only the flags version 00 defines (sampled) are kept."""
    return f"00-{trace_id}-{span_id}-{flags & _SAMPLED:02x}"


def parse_tracestate(header: Optional[str]) -> Optional[str]:
    """``tracestate`` to pass on, as it came, cut to whole members within the bounds; None if unusable.

    Its members are opaque to us (vendors' own data): only their number, the total length and
    printable ASCII are checked, as the value goes on into messages and requests.
    """
    if not header:
        return None
    text = header.strip(" \t")
    if not text or not text.isascii() or not text.isprintable():
        return None
    if len(text) <= MAX_TRACESTATE_LENGTH and text.count(",") < _MAX_TRACESTATE_MEMBERS:
        return text
    kept: List[str] = []
    length = 0
    for member in text.split(","):
        member = member.strip(" \t")
        if not member:
            continue
        if length + len(member) + bool(kept) > MAX_TRACESTATE_LENGTH or len(kept) == _MAX_TRACESTATE_MEMBERS:
            break
        kept.append(member)
        length += len(member) + (len(kept) > 1)
    return ",".join(kept) or None


class TraceContext:
    """The trace of one event: its trace id, its own span id, the incoming parent, flags and state.

    ``parent_id`` is the span id of the caller (None when the trace started here). ``span`` is the
    OpenTelemetry span of the event, when spans are recorded.
    """

    __slots__ = ("flags", "parent_id", "span", "span_id", "state", "trace_id")

    def __init__(
        self, trace_id: str, span_id: str, *, parent_id: Optional[str] = None, flags: int = _SAMPLED,
        state: Optional[str] = None, span: Any = None,
    ) -> None:
        self.trace_id = trace_id
        self.span_id = span_id
        self.parent_id = parent_id
        self.flags = flags
        self.state = state
        self.span = span

    @classmethod
    def continued(cls, traceparent: Optional[str], tracestate: Optional[str] = None) -> "TraceContext":
        """The trace an incoming ``traceparent`` continues (with a new span id), or a new one if it is invalid.

        A new trace is sampled: the trace starts here and whoever receives it may record it.
        ``tracestate`` is kept only along a valid ``traceparent``, as the spec says.
        """
        parsed = parse_traceparent(traceparent)
        if parsed is None:
            return cls(new_trace_id(), new_span_id())
        trace_id, parent_id, flags = parsed
        return cls(trace_id, new_span_id(), parent_id=parent_id, flags=flags, state=parse_tracestate(tracestate))

    @property
    def traceparent(self) -> str:
        """The span as a ``traceparent`` value: what a receiver continues from."""
        return format_traceparent(self.trace_id, self.span_id, self.flags)

    def headers(self, span_id: Optional[str] = None) -> Dict[str, str]:
        """``traceparent`` (of ``span_id``, default this span) and ``tracestate`` (if any), to send on."""
        found = {TRACEPARENT: format_traceparent(self.trace_id, span_id or self.span_id, self.flags)}
        if self.state:
            found[TRACESTATE] = self.state
        return found

    def __repr__(self) -> str:
        return f"TraceContext({self.traceparent!r}, parent_id={self.parent_id!r}, state={self.state!r})"


class OutgoingTrace:
    """The trace of one outgoing write or call: ``headers`` to send, and the span (if any) ended on exit.

    Use as a context manager around the write or call: an error leaving the block is recorded on
    the span.
    """

    __slots__ = ("headers", "span")

    def __init__(self, headers: Dict[str, str], span: Any = None) -> None:
        self.headers = headers
        self.span = span

    def __enter__(self) -> Dict[str, str]:
        return self.headers

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        if self.span is not None and hooks is not None:
            hooks.end_span(self.span, error)


class SpanHooks:
    """What records spans (``hopeit.server.otel`` installs one in ``hooks``); the base records nothing."""

    def outgoing(self, trace: TraceContext, kind: str, name: str, attributes: Dict[str, str]) -> OutgoingTrace:
        """A child span of ``trace`` of ``kind`` (``PRODUCER``, ``CLIENT``) for a write or call named ``name``."""
        return OutgoingTrace(trace.headers(new_span_id()))

    def end_span(self, span: Any, error: Optional[BaseException]) -> None:
        """End a span started by ``outgoing``, recording ``error`` when there is one."""


#: The span recorder in use: None (no spans) unless OpenTelemetry is enabled.
hooks: Optional[SpanHooks] = None
