"""Checkpoints of the log files, one JSON file per followed file, saved atomically.

A checkpoint is named after the file's identity (device and inode), which logrotate's rename keeps,
so the position in a rotated file is found again under its new name. Each save writes a temporary
file beside the checkpoint and moves it over with ``os.replace``: a process killed at any point leaves
the previous checkpoint or the new one, never a torn file. (There is no ``fsync``: a checkpoint
survives the process dying, not the machine losing power, after which lines may be published twice.)
"""

import json
import logging
import os
import time
from pathlib import Path
from typing import Callable, Dict, Optional

from hopeit.dataobjects.payload import Payload
from hopeit.log_streamer.data import Checkpoint
from hopeit.log_streamer.follower import Identity, Position

__all__ = ["CheckpointStore"]

logger = logging.getLogger("hopeit.log_streamer")

_SUFFIX = ".checkpoint.json"


class CheckpointStore:
    """The checkpoints of one log-streamer app (``app_key``) in folder ``path``."""

    def __init__(
        self, path: str, app_key: str, expire_secs: int, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.app_key = app_key
        self.expire_secs = expire_secs
        self.clock = clock

    def file_for(self, identity: Identity) -> Path:
        """Where the checkpoint of the file with ``identity`` is kept."""
        device, inode = identity
        return self.path / f"{self.app_key}.{device}-{inode}{_SUFFIX}"

    def save(self, identity: Identity, position: Position, path: str) -> None:
        """Save ``position`` as the checkpoint of the file ``identity`` (atomically)."""
        device, inode = identity
        checkpoint = Checkpoint(
            line=position.line.decode("utf-8", errors="surrogateescape"),
            expire=int(self.clock()) + self.expire_secs,
            offset=position.offset,
            device=device,
            inode=inode,
            path=path,
        )
        target = self.file_for(identity)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temporary.write_text(Payload.to_json(checkpoint), encoding="utf-8", errors="surrogateescape")
        os.replace(temporary, target)

    def _read(self, file: Path) -> Optional[Checkpoint]:
        try:
            checkpoint = Payload.from_json(file.read_text(encoding="utf-8", errors="surrogateescape"), Checkpoint)
        except FileNotFoundError:  # a file never published before
            return None
        except (OSError, ValueError) as exc:  # unreadable: the file is read from its start instead
            logger.warning("log-streamer: checkpoint %s ignored: %s", file.name, type(exc).__name__)
            return None
        if checkpoint.expire < self.clock():
            return None
        return checkpoint

    def load(self, identity: Identity) -> Optional[Position]:
        """The saved position in the file ``identity``, or None when there is none (or it expired)."""
        checkpoint = self._read(self.file_for(identity))
        if checkpoint is None:
            return None
        return Position(checkpoint.offset, checkpoint.line.encode("utf-8", errors="surrogateescape"))

    def load_all(self) -> Dict[Identity, Checkpoint]:
        """Every checkpoint of this app that has not expired, by file identity."""
        found: Dict[Identity, Checkpoint] = {}
        for file in self.path.glob(f"{self.app_key}.*{_SUFFIX}"):
            checkpoint = self._read(file)
            if checkpoint is not None:
                found[(checkpoint.device, checkpoint.inode)] = checkpoint
        return found

    def remove_expired(self) -> int:
        """Delete the checkpoints that expired (files gone long ago); returns how many."""
        removed = 0
        now = self.clock()
        for file in self.path.glob(f"{self.app_key}.*{_SUFFIX}"):
            try:
                expire = int(json.loads(file.read_text(encoding="utf-8", errors="surrogateescape"))["expire"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if expire < now:
                file.unlink(missing_ok=True)
                removed += 1
        return removed
