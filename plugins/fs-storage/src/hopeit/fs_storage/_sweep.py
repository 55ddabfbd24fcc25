"""Removal of the temp files that writers killed mid-write (SIGKILL, power loss) leave behind.

A write goes through a hidden ``.<uuid4 hex>.tmp`` file that is renamed over the target when
complete, or removed when the write fails. A process killed in between cannot remove it, so
without a sweep every kill leaves a file as big as the payload (20 SIGKILLs of a 4 MB writer left
154 MB). When a storage starts on a folder, its stale temp files are removed in a worker thread.

Only names the storage itself gives its temp files are touched, and only when last modified more
than ``stale_temp_seconds`` ago (10 minutes by default): a write in progress in another process
keeps its file young (every write updates the modification time), so it is never removed.
Symbolic links are neither followed nor removed.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import List, Optional, Set

from hopeit.fs_storage._paths import TEMP_NAME

__all__ = ["DEFAULT_STALE_TEMP_SECONDS", "check_age", "remove_stale_temp_files", "start_sweep"]

#: Age (seconds since last modified) after which a temp file is taken as left by a dead writer.
DEFAULT_STALE_TEMP_SECONDS = 600.0

#: How many removed paths a log line names (the count and size are always given).
_LOGGED_PATHS = 10

logger = logging.getLogger("hopeit.fs_storage")

_lock = threading.Lock()
_swept: Set[str] = set()
_executor: Optional[ThreadPoolExecutor] = None


def check_age(seconds: float, name: str) -> float:
    """``seconds`` as a float when it is 0 or more; ``ValueError`` naming the setting otherwise."""
    if seconds < 0:
        raise ValueError(f"fs-storage {name} must be 0 (no sweep) or a number of seconds, got {seconds!r}")
    return float(seconds)


def remove_stale_temp_files(base: str, older_than_seconds: float) -> List[str]:
    """Remove the storage's temp files under ``base`` last modified over ``older_than_seconds`` ago.

    Blocking (runs in a worker thread). Returns the removed paths and logs them; a file that
    cannot be removed is logged and skipped, a file renamed meanwhile by its writer is skipped.
    """
    cutoff = time.time() - older_than_seconds
    removed: List[str] = []
    removed_bytes = 0
    # os.walk never descends into symlinked folders: nothing outside the storage is visited
    for directory, _, files in os.walk(base):
        for name in files:
            if not TEMP_NAME.fullmatch(name):
                continue
            path = os.path.join(directory, name)
            try:
                info = os.lstat(path)
                if not stat.S_ISREG(info.st_mode) or info.st_mtime > cutoff:
                    continue
                os.remove(path)
            except FileNotFoundError:
                continue  # its writer renamed or removed it in the meantime
            except OSError as exc:
                logger.warning("fs-storage could not remove stale temp file %s: %s", path, exc)
                continue
            removed.append(path)
            removed_bytes += info.st_size
    if removed:
        shown = ", ".join(removed[:_LOGGED_PATHS]) + (", ..." if len(removed) > _LOGGED_PATHS else "")
        logger.info(
            "fs-storage removed %d stale temp file(s) (%d bytes) left by interrupted writes older than %s s in %s: %s",
            len(removed),
            removed_bytes,
            older_than_seconds,
            base,
            shown,
        )
    return removed


def _sweep_logging_errors(base: str, older_than_seconds: float) -> List[str]:
    try:
        return remove_stale_temp_files(base, older_than_seconds)
    except Exception as exc:  # noqa: BLE001 - a background sweep must never fail silently nor break the storage
        logger.warning("fs-storage could not sweep stale temp files in %s: %s", base, exc)
        return []


def start_sweep(base: str, real_base: str, older_than_seconds: float) -> Optional[Future[List[str]]]:
    """Sweep ``base`` in a worker thread, the first time a storage starts on it in this process.

    None when ``older_than_seconds`` is 0 (disabled) or the folder was already swept: a storage
    created per request must not walk the whole folder each time.
    """
    global _executor
    if older_than_seconds <= 0:
        return None
    with _lock:
        if real_base in _swept:
            return None
        _swept.add(real_base)
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fs-storage-sweep")
        return _executor.submit(_sweep_logging_errors, base, older_than_seconds)
