"""Track ids of web requests: those of a new operation (``hopeit.server.tracking``) and ``X-Track-*`` headers."""

from typing import Dict, Optional

from aiohttp import web
from hopeit.server.names import snakecase
from hopeit.server.tracking import new_track_ids

__all__ = ["track_ids"]

_TRACK_PREFIX = b"x-track-"
_track_keys: Dict[bytes, Optional[str]] = {}


def _track_key(header: bytes) -> Optional[str]:
    key = _track_keys.get(header)
    if key is None and header not in _track_keys:
        lower = header.lower()
        key = (
            "track." + snakecase(lower[len(_TRACK_PREFIX):].decode("latin-1"))
            if lower.startswith(_TRACK_PREFIX) else None
        )
        if len(_track_keys) < 1024:  # header names are few; do not let odd clients grow the cache
            _track_keys[header] = key
    return key


def track_ids(request: web.Request) -> Dict[str, str]:
    """New operation and request ids and timestamp, overridden or extended by ``X-Track-*`` headers.

    ``X-Track-Session-Id: abc`` becomes ``track.session_id = "abc"``; ``X-Track-Request-Id`` pins
    the request id.
    """
    ids = new_track_ids()
    for name, value in request.raw_headers:
        if name[0] in (88, 120):  # b"X", b"x": raw header names avoid building str objects
            key = _track_key(name)
            if key is not None:
                ids[key] = value.decode("utf-8", "replace")
    return ids
