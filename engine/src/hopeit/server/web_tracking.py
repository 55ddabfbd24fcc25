"""Track ids of web requests: new operation and request ids, a timestamp, and ``X-Track-*`` headers.

This runs on every request, so it avoids what costs most in a busy server: no system call for
randomness and no datetime object per id. Ids are unique, not secret: a random prefix drawn when
the process starts (again in forked children) followed by a counter, shaped as UUIDs (version 4
layout). Timestamps are UTC ISO-8601 with microseconds, as ``datetime.isoformat()`` writes them.
"""

import itertools
import os
import time
import uuid
from datetime import datetime, timezone
from typing import Dict, Iterator, Optional, Tuple

from aiohttp import web
from hopeit.server.names import snakecase

__all__ = ["new_id", "track_ids", "utc_now_iso"]

_prefix = ""
_counter: Iterator[int] = itertools.count()


def _reset() -> None:
    """New random prefix (first 24 characters of a uuid4) and counter: at start and after fork."""
    global _prefix, _counter
    _prefix = str(uuid.uuid4())[:24]
    _counter = itertools.count(int.from_bytes(os.urandom(4), "big"))


_reset()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset)


def new_id() -> str:
    """A unique id shaped as a UUID: ``<random prefix of this process>-<counter as 12 hex digits>``."""
    return f"{_prefix}{next(_counter) & 0xFFFFFFFFFFFF:012x}"


_second: Tuple[int, str] = (-1, "")


def utc_now_iso() -> str:
    """Now, in UTC, as ``2024-05-01T10:20:30.123456+00:00`` (the date part is formatted once a second)."""
    global _second
    now = time.time()
    seconds = int(now)
    if seconds != _second[0]:
        _second = (seconds, datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"))
    return f"{_second[1]}.{int((now - seconds) * 1_000_000):06d}+00:00"


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
    ids = {"track.operation_id": new_id(), "track.request_id": new_id(), "track.request_ts": utc_now_iso()}
    for name, value in request.raw_headers:
        if name[0] in (88, 120):  # b"X", b"x": raw header names avoid building str objects
            key = _track_key(name)
            if key is not None:
                ids[key] = value.decode("utf-8", "replace")
    return ids
