"""Key checks and the blocking file operations of ``FileStorage``, run in a worker thread.

Every name that reaches the filesystem is checked twice: lexically here before any path is built
(so ``..``, absolute paths, separators and NUL never become a path: they raise
``InvalidKeyError``, a client error), and then the real directory (symlinks resolved) must lie
inside the real base folder, so a symlink planted in the storage cannot lead a read or a write
outside of it either.

Each public operation is a single blocking function, so the async side runs it with one
executor hop: a write is "temp file, write, flush, fsync, ``os.replace``" as one unit, and a task
cancelled half-way (a stream timeout, a shutdown) cannot leave a temp file behind between hops.
"""

import glob
import os
import re
import uuid
from contextlib import suppress
from typing import List, Optional, Tuple

from hopeit.storage import InvalidKeyError
from hopeit.storage import check_key as storage_check_key

__all__ = [
    "TEMP_NAME",
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

#: Exactly the names ``write_atomic`` gives its temp files (``.<uuid4 hex>.tmp``): the only
#: files the sweep of stale temp files may remove.
TEMP_NAME = re.compile(r"\.[0-9a-f]{32}" + re.escape(TEMP_SUFFIX))

_BACKEND = "fs-storage"


def check_key(key: str, what: str = "key") -> str:
    """``key`` when it is a plain file name; otherwise ``InvalidKeyError`` (a ``ValueError``) saying why.

    Glob characters (``*``, ``?``, ``[``) are allowed and always literal: reads, writes and deletes
    never glob, and ``FileStorage.locate`` escapes the key before it searches the partitions.
    """
    storage_check_key(key, what=what, backend=_BACKEND)
    if os.altsep and os.altsep in key:
        raise InvalidKeyError.for_key(key, f"it contains the path separator {os.altsep!r}", what=what, backend=_BACKEND)
    if key.startswith("."):
        # hidden names are the storage's own temp files: a key must never reach one of them
        raise InvalidKeyError.for_key(
            key,
            "it starts with '.' (hidden names are reserved for the storage's temp files)",
            what=what,
            backend=_BACKEND,
        )
    return key


def check_partition_key(partition_key: Optional[str]) -> str:
    """The partition key without leading/trailing ``/`` ("" for none), each part a plain name."""
    if partition_key is None:
        return ""
    if not isinstance(partition_key, str):
        raise InvalidKeyError.for_key(partition_key, "it must be a string", what="partition key", backend=_BACKEND)
    if partition_key.startswith("/") and partition_key.strip("/"):
        raise InvalidKeyError.for_key(
            partition_key,
            "it is absolute: use one relative to the storage path (2024/03/05)",
            what="partition key",
            backend=_BACKEND,
        )
    stripped = partition_key.strip("/")
    if stripped:
        for part in stripped.split("/"):
            try:
                check_key(part, what="partition key part")
            except InvalidKeyError as exc:
                raise InvalidKeyError.for_key(
                    partition_key, f"part {part!r}: {exc.rule}", what="partition key", backend=_BACKEND
                ) from None
    return stripped


def check_wildcard(wildcard: str) -> str:
    """``wildcard`` when it is a relative glob that cannot climb out of the base folder."""
    if not isinstance(wildcard, str) or not wildcard:
        raise InvalidKeyError.for_key(wildcard, "it must be a non-empty string", what="wildcard", backend=_BACKEND)
    if "\x00" in wildcard or "\\" in wildcard:
        raise InvalidKeyError.for_key(wildcard, "it must not contain NUL or '\\'", what="wildcard", backend=_BACKEND)
    if wildcard.startswith("/"):
        raise InvalidKeyError.for_key(
            wildcard, "it is absolute: use one relative to the storage path", what="wildcard", backend=_BACKEND
        )
    if any(part in ("", ".", "..") for part in wildcard.split("/")):
        raise InvalidKeyError.for_key(
            wildcard, "it must not contain '..', '.' or empty parts", what="wildcard", backend=_BACKEND
        )
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
