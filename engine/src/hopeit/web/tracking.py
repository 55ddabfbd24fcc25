"""Track ids of web requests: those of a new operation (``hopeit.server.tracking``) and ``X-Track-*`` headers.

The W3C ``traceparent`` / ``tracestate`` headers are picked up in the same pass over the raw
headers, under their own names (not track ids: the context takes them apart, see
``hopeit.app.trace_context``).
"""

from typing import Dict, Optional

from aiohttp import web
from hopeit.app.trace_context import TRACEPARENT, TRACESTATE
from hopeit.server.names import snakecase
from hopeit.server.tracking import new_track_ids

__all__ = ["track_ids"]

_TRACK_PREFIX = b"x-track-"
_TRACE_HEADERS = {TRACEPARENT.encode(): TRACEPARENT, TRACESTATE.encode(): TRACESTATE}
#: first bytes of the header names read: "X", "x" (X-Track-*), "T", "t" (traceparent, tracestate)
_FIRST_BYTES = frozenset(b"XxTt")
_TRACE_NAMES = frozenset(_TRACE_HEADERS.values())
_track_keys: Dict[bytes, Optional[str]] = {}


def _track_key(header: bytes) -> Optional[str]:
    key = _track_keys.get(header)
    if key is None and header not in _track_keys:
        lower = header.lower()
        key = (
            "track." + snakecase(lower[len(_TRACK_PREFIX):].decode("latin-1"))
            if lower.startswith(_TRACK_PREFIX) else _TRACE_HEADERS.get(lower)
        )
        if len(_track_keys) < 1024:  # header names are few; do not let odd clients grow the cache
            _track_keys[header] = key
    return key


def track_ids(request: web.Request) -> Dict[str, str]:
    """New operation and request ids and timestamp, overridden or extended by ``X-Track-*`` headers.

    ``X-Track-Session-Id: abc`` becomes ``track.session_id = "abc"``; ``X-Track-Request-Id`` pins
    the request id. ``traceparent`` and ``tracestate`` come under those keys (several
    ``tracestate`` headers joined with commas, as the spec says; a second ``traceparent`` makes it
    invalid).
    """
    ids = new_track_ids()
    for name, value in request.raw_headers:
        if name[0] in _FIRST_BYTES:  # raw header names avoid building str objects
            key = _track_key(name)
            if key is not None:
                text = value.decode("utf-8", "replace")
                if key in _TRACE_NAMES and key in ids:
                    text = f"{ids[key]},{text}" if key == TRACESTATE else ""
                ids[key] = text
    return ids

