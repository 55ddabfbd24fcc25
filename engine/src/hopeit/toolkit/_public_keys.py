"""The table of app public keys a server trusts: the ``<app_key>_pub.pem`` files of one folder.

A token names the app that signed it; that name is only ever looked up in this table, never
joined into a file path (a name like ``../../uploads/x`` would otherwise pick any file). The
table is the folder's listing: made when an app engine starts, and made again on a lookup once
the folder changed (another server of the deployment created its keys after this one started,
or an operator removed the key of an app). Names that are not found are not remembered: a token
costs one ``stat`` of the folder and no memory, whatever it names.
"""

import logging
import os
import time
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from cryptography.hazmat.primitives import serialization

__all__ = ["PUBLIC_SUFFIX", "PublicKeys"]

logger = logging.getLogger("hopeit.toolkit.auth")

#: file name of an app's public key: ``<app_key>_pub.pem``
PUBLIC_SUFFIX = "_pub.pem"

_FileId = Tuple[int, int, int]  # inode, modification time, size: a replaced file gets a new one
#: a folder modified this recently may change again without a new modification time (file times
#: tick in steps of a few milliseconds, or seconds on some file systems): list it once more later
_SETTLE_NS = 2_000_000_000


class PublicKeys:
    """Public keys by app key, as listed in ``folder``."""

    __slots__ = ("_files", "_folder_version", "_keys", "_recheck_at", "folder")

    def __init__(self, folder: Optional[Path] = None) -> None:
        self.folder = folder
        self._keys: Dict[str, Any] = {}
        self._files: Dict[str, _FileId] = {}
        self._folder_version: Optional[int] = None
        self._recheck_at: Optional[int] = None

    def __len__(self) -> int:
        return len(self._keys)

    def get(self, app_key: str) -> Optional[Any]:
        """The key of ``app_key``, or None when the folder has none (listed again if it changed)."""
        if self.folder is not None and self._folder_changed():
            self.scan()
        return self._keys.get(app_key)

    def _folder_changed(self) -> bool:
        try:
            version = os.stat(self.folder).st_mtime_ns  # type: ignore[arg-type]
        except OSError:
            return False
        recheck = self._recheck_at
        return version != self._folder_version or (recheck is not None and time.time_ns() >= recheck)

    def scan(self) -> None:
        """List the folder again: new and replaced files are loaded, removed ones forgotten.

        Unreadable files are skipped with a warning (tokens of that app are refused).
        """
        if self.folder is None:
            return
        try:
            version = os.stat(self.folder).st_mtime_ns  # taken before listing: a change meanwhile lists again
            entries = sorted(os.scandir(self.folder), key=lambda entry: entry.name)
        except OSError as exc:
            logger.warning("Cannot list public keys in %s: %s", self.folder, exc)
            return
        keys: Dict[str, Any] = {}
        files: Dict[str, _FileId] = {}
        for entry in entries:
            if not entry.name.endswith(PUBLIC_SUFFIX) or not entry.is_file():
                continue
            app_key = entry.name[: -len(PUBLIC_SUFFIX)]
            try:
                info = entry.stat()
                file_id = (info.st_ino, info.st_mtime_ns, info.st_size)
                known = self._keys.get(app_key)
                if known is not None and self._files.get(app_key) == file_id:
                    keys[app_key] = known
                else:
                    keys[app_key] = serialization.load_pem_public_key(Path(entry.path).read_bytes())
                files[app_key] = file_id
            except (OSError, ValueError) as exc:
                logger.warning("Skipped public key file %s: %s. Tokens of app %s are refused.",
                               entry.path, exc, app_key)
        # replaced whole: a lookup running meanwhile sees the old table or the new one
        self._keys, self._files, self._folder_version = keys, files, version
        self._recheck_at = version + _SETTLE_NS if time.time_ns() - version < _SETTLE_NS else None
