"""Which log files are followed, and the batches of lifecycle lines read from them.

``LogFileHandler`` is a watchdog event handler: the observer thread only wakes the service up, and
everything else runs on the event loop. On each wake-up the handler looks at the folder again (new
files, rotated ones, deleted ones) and reads what its files gained. Files are told apart by device
and inode, never by name, so a file logrotate renamed away is read to its end under its new name
while the new file at the old name is read from its start.
"""

import asyncio
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

from hopeit.app.context import EventContext
from hopeit.app.names import snakecase
from hopeit.log_streamer.checkpoints import CheckpointStore
from hopeit.log_streamer.data import Checkpoint, LogReaderConfig
from hopeit.log_streamer.follower import FileFollower, Identity, Position, identity_of
from hopeit.log_streamer.parsing import is_lifecycle_line
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

__all__ = ["DETACHED_GRACE_SECS", "LogFileHandler", "PendingBatch", "start_observer"]

logger = logging.getLogger("hopeit.log_streamer")

#: A file renamed away or deleted is closed once fully read and idle this long: a writer reopens the
#: new file within a second (the engine checks once a second), so later lines of the old one are rare.
DETACHED_GRACE_SECS = 5.0

_LIVE_SUFFIX = ".log"
#: watchdog events that change nothing in a file (the streamer's own reads cause them too)
_NOT_CHANGES = frozenset({"opened", "closed_no_write"})


@dataclass
class PendingBatch:
    """Lines taken from the files for one batch, and the position each file reached with them."""

    lines: List[str] = field(default_factory=list)
    positions: Dict[Identity, Position] = field(default_factory=dict)

    def __bool__(self) -> bool:
        """True when some file moved on (the batch may hold no line: all of them filtered out)."""
        return bool(self.positions)


class LogFileHandler(FileSystemEventHandler):
    """The followed log files of one folder, their checkpoints, and a wake-up for the service."""

    def __init__(
        self, config: LogReaderConfig, context: EventContext, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config
        self.folder = os.path.normpath(config.logs_path or ".")
        os.makedirs(self.folder, exist_ok=True)
        self.prefix = config.prefix
        # the streamer's own lines (a START and DONE per batch it publishes) would feed it forever
        self.own_prefix = snakecase(f"{context.app.name} {context.app.version}".replace(".", "x")) + "_"
        self.checkpoints = CheckpointStore(config.checkpoint_path, context.app_key, config.file_checkpoint_expire_secs)
        self.clock = clock
        self.loop = asyncio.get_running_loop()
        self.changed = asyncio.Event()
        self.followers: Dict[Identity, FileFollower] = {}
        self.last_access: Dict[Identity, float] = {}
        self.saved: Dict[Identity, Position] = {}
        #: live files closed while idle, with their size then: opened again once they grow
        self.idle_closed: Dict[Identity, int] = {}
        self._turn = 0
        self._startup: Optional[Dict[Identity, Checkpoint]] = self.checkpoints.load_all()
        self.checkpoints.remove_expired()

    # watchdog side: the observer's thread

    def on_any_event(self, event: FileSystemEvent) -> None:
        """Any change in the folder wakes the service up (the service finds out what changed)."""
        if not event.is_directory and event.event_type not in _NOT_CHANGES:
            self.loop.call_soon_threadsafe(self.changed.set)

    # event loop side

    async def wait_for_changes(self, timeout: float) -> None:
        """Return when the folder changed, or after ``timeout`` seconds."""
        try:
            await asyncio.wait_for(self.changed.wait(), timeout)
        except asyncio.TimeoutError:
            pass
        self.changed.clear()

    def _wanted(self, name: str) -> bool:
        return name.startswith(self.prefix) and not name.startswith(self.own_prefix)

    def _scan(self) -> None:
        """Follow the files of the folder not followed yet.

        Live files (``*.log``) are followed from their checkpoint, or from their start. Other names
        (``x.log.1``: rotated) only when a checkpoint says they were being read when the streamer
        stopped: the rest of them was read before they were rotated, or never was ours.
        """
        startup, self._startup = self._startup, None
        try:
            entries = list(os.scandir(self.folder))
        except FileNotFoundError:
            return
        for entry in entries:
            if not self._wanted(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            try:
                identity = identity_of(entry.stat(follow_symlinks=False))
            except FileNotFoundError:
                continue
            if identity in self.followers:
                self.followers[identity].path = entry.path
                continue
            if identity in self.idle_closed:
                if self.idle_closed[identity] == entry.stat(follow_symlinks=False).st_size:
                    continue
                del self.idle_closed[identity]
            checkpoint = startup.get(identity) if startup is not None else None
            if not entry.name.endswith(_LIVE_SUFFIX) and checkpoint is None:
                continue
            self._follow(entry.path, identity)

    def _follow(self, path: str, identity: Identity) -> None:
        try:
            follower = FileFollower(path, self.checkpoints.load(identity))
        except FileNotFoundError:
            return
        if follower.identity != identity:  # replaced between stat and open: the next scan takes it
            follower.close()
            return
        self.followers[identity] = follower
        self.saved[identity] = follower.committed
        self.last_access[identity] = self.clock()

    def _follow_copy(self, position: Position) -> None:
        """Follow the copy a copytruncate made of a file, from where the file was read up to.

        The copy is the file of the folder that holds the last line read at the same offset and has
        more after it: the lines written after the last read and before the truncation. A copy that
        is compressed or removed at once is not found, and those lines are lost (see the README).
        """
        for entry in list(os.scandir(self.folder)):
            if not self._wanted(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            stat = entry.stat(follow_symlinks=False)
            identity = identity_of(stat)
            if identity in self.followers or stat.st_size <= position.offset:
                continue
            try:
                follower = FileFollower(entry.path, Position(position.offset, position.line))
            except FileNotFoundError:
                continue
            if follower.resumed and follower.identity == identity:
                self.followers[identity] = follower
                self.saved[identity] = Position()  # its first batch saves its checkpoint
                self.last_access[identity] = self.clock()
                return
            follower.close()

    def take_batch(self) -> PendingBatch:
        """Up to ``batch_size`` lifecycle lines from the followed files, with the positions they reach."""
        self._scan()
        batch = PendingBatch()
        room = max(1, self.config.batch_size)
        followed = list(self.followers.items())
        if followed:  # each batch starts at the next file: a busy file does not hold back the others
            start = self._turn % len(followed)
            followed = followed[start:] + followed[:start]
            self._turn += 1
        for identity, follower in followed:
            moved = False
            truncations = follower.truncations
            while room > 0:
                line = follower.next_line()
                if line is None:
                    break
                moved = True
                if is_lifecycle_line(line.text):
                    batch.lines.append(line.text)
                    room -= 1
            if follower.truncations != truncations and follower.truncated_at is not None:
                self._follow_copy(follower.truncated_at)
            if moved:
                batch.positions[identity] = follower.position()
                self.last_access[identity] = self.clock()
            elif follower.committed != self.saved.get(identity):  # restarted after a truncation
                batch.positions[identity] = follower.committed
        return batch

    def commit(self, batch: PendingBatch) -> None:
        """The lines of ``batch`` are published: move each file's checkpoint past them."""
        for identity, position in batch.positions.items():
            follower = self.followers.get(identity)
            if follower is None:
                continue
            follower.commit(position)
            if follower.committed != self.saved.get(identity):
                self.checkpoints.save(identity, follower.committed, follower.path)
                self.saved[identity] = follower.committed

    def rewind(self, batch: PendingBatch) -> None:
        """The lines of ``batch`` were not published: they are read again for the next batch."""
        for identity in batch.positions:
            follower = self.followers.get(identity)
            if follower is not None:
                follower.rewind()

    def close_inactive_files(self) -> List[str]:
        """Close files renamed away or deleted once fully published, and files idle for ``file_open_timeout_secs``.

        A live file closed for being idle is opened again, at its checkpoint, when it is written.
        Returns the paths closed.
        """
        now = self.clock()
        closed: List[str] = []
        for identity, follower in list(self.followers.items()):
            idle = now - self.last_access.get(identity, now)
            if not follower.fully_published():
                continue
            detached = follower.is_detached() or not follower.path.endswith(_LIVE_SUFFIX)
            if detached and idle >= DETACHED_GRACE_SECS:
                self._close(identity)
                closed.append(follower.path)
            elif idle >= self.config.file_open_timeout_secs:
                self.idle_closed[identity] = follower.committed.offset
                self._close(identity)
                closed.append(follower.path)
        return closed

    def _close(self, identity: Identity) -> None:
        follower = self.followers.pop(identity)
        self.last_access.pop(identity, None)
        self.saved.pop(identity, None)
        follower.close()

    def close(self) -> None:
        """Close every file."""
        for identity in list(self.followers):
            self._close(identity)

    def truncations(self) -> Tuple[int, ...]:
        """Truncations found per followed file (for logs and tests)."""
        return tuple(follower.truncations for follower in self.followers.values())


def start_observer(handler: LogFileHandler, logs_path: str) -> BaseObserver:
    """A started watchdog observer of ``logs_path`` (not its subfolders) reporting to ``handler``."""
    observer: BaseObserver = Observer()
    # watchdog 4 (the release for Python 3.8) has no annotations on these
    observer.schedule(handler, logs_path, recursive=False)  # type: ignore[no-untyped-call,unused-ignore]
    observer.start()  # type: ignore[no-untyped-call,unused-ignore]
    return observer
