"""Key checks and the blocking file operations of ``FileStorage``, run in a worker thread.

Every name that reaches the filesystem is checked twice: lexically here before any path is built
(so ``..``, absolute paths, separators and NUL never become a path), and then the real directory
(symlinks resolved) must lie inside the real base folder, so a symlink planted in the storage
cannot lead a read or a write outside of it either.

Each public operation is a single blocking function, so the async side runs it with one
executor hop: a write is "temp file, write, flush, fsync, ``os.replace``" as one unit, and a task
cancelled half-way (a stream timeout, a shutdown) cannot leave a temp file behind between hops.
"""

import glob
import os
import uuid
from contextlib import suppress
from typing import List, Optional, Tuple

__all__ = [
    "TEMP_SUFFIX",
    "check_key",
    "check_partition_key",
    "check_wildcard",
    "delete_file",
    "list_matches",
    "read_file",
    "write_atomic",
]

#: Suffix of the temporary files a write goes through (hidden: they start with ``.``).
TEMP_SUFFIX = ".tmp"


def check_key(key: str, what: str = "key") -> str:
    """``key`` when it is a plain file name; otherwise a ``ValueError`` saying why."""
    if not isinstance(key, str) or not key:
        raise ValueError(f"fs-storage {what} must be a non-empty string, got {key!r}")
    if "\x00" in key:
        raise ValueError(f"fs-storage {what} {key!r} contains a NUL character")
    if "/" in key or "\\" in key or (os.altsep and os.altsep in key):
        raise ValueError(f"fs-storage {what} {key!r} contains a path separator: use a plain name")
    if key.startswith("."):
        # '.', '..' and hidden names: hidden files are the storage's own temp files
        raise ValueError(f"fs-storage {what} {key!r} must not start with '.'")
    return key


def check_partition_key(partition_key: Optional[str]) -> str:
    """The partition key without leading/trailing ``/`` ("" for none), each part a plain name."""
    if partition_key is None:
        return ""
    if not isinstance(partition_key, str):
        raise ValueError(f"fs-storage partition key must be a string, got {partition_key!r}")
    if partition_key.startswith("/") and partition_key.strip("/"):
        raise ValueError(f"fs-storage partition key {partition_key!r} is absolute: use a relative one (2024/03/05)")
    stripped = partition_key.strip("/")
    if stripped:
        for part in stripped.split("/"):
            check_key(part, what=f"partition key part (in {partition_key!r})")
    return stripped


def check_wildcard(wildcard: str) -> str:
    """``wildcard`` when it is a relative glob that cannot climb out of the base folder."""
    if not isinstance(wildcard, str) or not wildcard:
        raise ValueError(f"fs-storage wildcard must be a non-empty string, got {wildcard!r}")
    if "\x00" in wildcard or "\\" in wildcard:
        raise ValueError(f"fs-storage wildcard {wildcard!r} must not contain NUL or '\\'")
    if wildcard.startswith("/"):
        raise ValueError(f"fs-storage wildcard {wildcard!r} is absolute: use one relative to the storage path")
    if any(part in ("", ".", "..") for part in wildcard.split("/")):
        raise ValueError(f"fs-storage wildcard {wildcard!r} must not contain '..', '.' or empty parts")
    return wildcard


def _inside(path: str, real_base: str) -> bool:
    real = os.path.realpath(path)
    return real == real_base or real.startswith(real_base.rstrip(os.sep) + os.sep)


def _ensure_inside(path: str, real_base: str) -> None:
    if not _inside(path, real_base):
        raise ValueError(
            f"fs-storage refuses '{path}': it resolves to '{os.path.realpath(path)}', outside '{real_base}'"
        )


def write_atomic(directory: str, file_name: str, data: bytes, real_base: str, fsync: bool = True) -> None:
    """Write ``data`` to ``directory/file_name`` so readers see the old file or the new one, never a part.

    The temp file lives in the same folder (``os.replace`` is atomic only within a filesystem) and
    is removed whatever goes wrong before the rename.
    """
    # checked before creating folders: realpath resolves the existing part (symlinks included)
    _ensure_inside(directory, real_base)
    if not os.path.isdir(directory):  # a stat is cheaper than makedirs' failing mkdir on every write
        os.makedirs(directory, exist_ok=True)
    temp = os.path.join(directory, f".{uuid.uuid4().hex}{TEMP_SUFFIX}")
    # O_EXCL: never reuse a file someone else created; 0o666 so the umask decides, like open()
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            if fsync:
                os.fsync(file.fileno())
        os.replace(temp, os.path.join(directory, file_name))
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise


def read_file(directory: str, file_name: str, real_base: str) -> Optional[bytes]:
    """The bytes of ``directory/file_name``, or None when it does not exist."""
    path = os.path.join(directory, file_name)
    # the file itself may be a symlink: check where it really points
    _ensure_inside(path, real_base)
    try:
        with open(path, "rb") as file:
            return file.read()
    except FileNotFoundError:
        return None


def delete_file(directory: str, file_name: str, real_base: str) -> None:
    """Remove ``directory/file_name``; a missing file raises ``FileNotFoundError``."""
    _ensure_inside(directory, real_base)
    os.remove(os.path.join(directory, file_name))


def list_matches(relative_pattern: str, real_base: str) -> List[Tuple[str, str]]:
    """``(directory, file name)`` of the files matching ``relative_pattern`` that really are inside the base.

    Hidden files (the temp files of writes in progress among them) are never listed.
    """
    found: List[Tuple[str, str]] = []
    # the base is a literal path: '[' or '*' in a folder name must not act as a pattern
    for match in sorted(glob.glob(os.path.join(glob.escape(real_base), relative_pattern))):
        directory, name = os.path.split(match)
        if name.startswith(".") or not os.path.isfile(match):
            continue
        if _inside(match, real_base):
            found.append((directory, name))
    return found
