"""Unique ids and UTC timestamps cheap enough to make for every request and stream message.

Ids are unique, not secret: a random prefix drawn when the process starts (drawn again in forked
children) followed by a counter, shaped as UUIDs (version 4 layout), so they fit wherever the
original engine wrote ``str(uuid.uuid4())``. A ``uuid4`` costs a system call and an object; this
costs a string format. Timestamps are UTC ISO-8601 with microseconds, as ``datetime.isoformat()``
writes them, with the date part formatted once a second.
"""

import itertools
import os
import time
import uuid
from datetime import datetime, timezone
from typing import Iterator

__all__ = ["new_id", "utc_now_iso"]

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
    # %-formatting: about a fifth faster than the f-string with a format spec, on every request
    return "%s%012x" % (_prefix, next(_counter) & 0xFFFFFFFFFFFF)  # noqa: UP031


_second = -1
_second_text = ""
_time = time.time


def utc_now_iso() -> str:
    """Now, in UTC, as ``2024-05-01T10:20:30.123456+00:00``."""
    global _second, _second_text
    now = _time()
    seconds = int(now)
    if seconds != _second:
        _second_text = datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.")
        _second = seconds
    return "%s%06d+00:00" % (_second_text, (now - seconds) * 1_000_000)  # noqa: UP031 - as in new_id
