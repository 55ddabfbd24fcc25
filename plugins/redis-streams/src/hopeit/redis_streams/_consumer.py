"""Consumer names that survive restarts.

Redis keeps a message read but not acknowledged in the pending list of the consumer that read
it. A restarted process that comes back under the same name finds those messages and finishes
them first; under a fresh name (the original engine used time and pid) they would wait for
another consumer to reclaim them. So the default name is ``<hostname>.<slot>``, where the slot is
``$HOPEIT_WORKER_ID`` when set, otherwise the lowest slot number not held by another live process
of this host: a process holds its slot with an advisory file lock, released by the OS when the
process ends, so a restarted worker takes back the slot its predecessor left.
"""

import os
import socket
import tempfile
import threading
from pathlib import Path
from typing import IO, Optional

from hopeit.redis_streams.settings import ENV_WORKER_ID, RedisStreamsSettings

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock: every process uses slot 0
    fcntl = None  # type: ignore[assignment]

__all__ = ["consumer_name", "process_slot"]

#: More slots than processes any host runs; past it a slot would be shared (a warning-free fallback).
_MAX_SLOTS = 4096

_lock = threading.Lock()
_slot: Optional[int] = None
_slot_file: Optional[IO[str]] = None  # held open for the life of the process: closing it frees the slot


def _lock_dir() -> Path:
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"hopeit-redis-streams-{uid}"


def process_slot(lock_dir: Optional[Path] = None) -> int:
    """Slot number of this process on this host: the lowest one no other live process holds."""
    global _slot, _slot_file
    with _lock:
        if _slot is not None:
            return _slot
        if fcntl is None:  # pragma: no cover
            _slot = 0
            return _slot
        directory = lock_dir or _lock_dir()
        directory.mkdir(parents=True, exist_ok=True)
        for index in range(_MAX_SLOTS):
            try:
                handle = open(directory / f"slot-{index}.lock", "a+")  # kept open on purpose: the lock lives with it
            except OSError:
                continue
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            _slot, _slot_file = index, handle
            return index
        _slot = os.getpid()  # pragma: no cover - thousands of live workers on one host
        return _slot


def consumer_name(settings: RedisStreamsSettings) -> str:
    """``settings.consumer_name``, else ``<hostname>.<worker id or process slot>``."""
    if settings.consumer_name:
        return settings.consumer_name
    worker = settings.worker_id or os.getenv(ENV_WORKER_ID) or str(process_slot())
    return f"{socket.gethostname()}.{worker}"
