"""Following one log file: its complete lines from a byte offset on, through truncation and rotation.

A ``FileFollower`` holds the file open, so a file renamed away (logrotate's rename-and-create) or
deleted is still read to its end; the handler watches the live name and starts a new follower for
the new file there. A follower knows two positions: up to where it handed out lines (``position()``)
and up to where those were published (``committed``); ``rewind`` goes back to the second when a
batch could not be published.
"""

import os
from collections import deque
from typing import Deque, NamedTuple, Optional, Tuple

__all__ = ["READ_CHUNK_BYTES", "FileFollower", "Identity", "Line", "Position", "identity_of", "line_ends_at"]

#: Bytes read from a file at a time.
READ_CHUNK_BYTES = 1 << 20

#: ``(st_dev, st_ino)``: what recognises a file whatever its name.
Identity = Tuple[int, int]


class Position(NamedTuple):
    """A place in a file: ``offset`` bytes read, the last of which end with ``line`` (empty at 0).

    ``generation`` counts the times the follower found its file truncated: a position taken before
    a truncation is no use after it. (A named tuple: one is made for every line read.)
    """

    offset: int = 0
    line: bytes = b""
    generation: int = 0


class Line(NamedTuple):
    """A complete line: its text (no newline) and the position just past its newline."""

    text: str
    position: Position


def identity_of(stat: os.stat_result) -> Identity:
    """The identity of a file from its ``stat``."""
    return (stat.st_dev, stat.st_ino)


def line_ends_at(fd: int, offset: int, line: bytes) -> bool:
    """True when the file holds ``line`` and a newline right before ``offset`` (always at offset 0)."""
    if offset == 0:
        return True
    expected = line + b"\n"
    start = offset - len(expected)
    return start >= 0 and os.pread(fd, len(expected), start) == expected


class FileFollower:
    """Complete lines of one file as they are written, from a position on."""

    def __init__(self, path: str, start: Optional[Position] = None) -> None:
        """Open ``path``; resume at ``start`` if the file still holds it there, else read from the beginning.

        :raises OSError: the file could not be opened (it vanished).
        """
        self.path = path
        self.fd = os.open(path, os.O_RDONLY)
        self.identity = identity_of(os.fstat(self.fd))
        resumed = start is not None and line_ends_at(self.fd, start.offset, start.line)
        #: True when the follower resumed at the position it was given
        self.resumed = resumed
        #: lines up to here are published (or were filtered out)
        self.committed = Position(start.offset, start.line) if start is not None and resumed else Position()
        #: times the file was found truncated (copytruncate) and read again from its start
        self.truncations = 0
        #: where the lines handed out ended when the last truncation was found: what a copy of the
        #: file made before the truncation (logrotate's) holds, and where its unread lines start
        self.truncated_at: Optional[Position] = None
        self._handed = self.committed
        self._read_to = self.committed.offset  # bytes taken from the file into the buffers below
        self._partial = b""
        self._lines: Deque[Tuple[bytes, int]] = deque()  # complete lines not handed out, with their end

    def _restart(self, start: Position) -> None:
        self._handed = start
        self._read_to = start.offset
        self._partial = b""
        self._lines.clear()

    def _check_truncated(self) -> None:
        """Start over when the file shrank, or no longer holds the last line handed out where it was."""
        handed = self._handed
        size = os.fstat(self.fd).st_size
        if size < self._read_to or not line_ends_at(self.fd, handed.offset, handed.line):
            self.truncated_at = handed
            self.truncations += 1
            self.committed = Position(generation=self.truncations)
            self._restart(self.committed)

    def _fill(self) -> bool:
        """Read the next chunk into complete lines (or the partial one); False at the end of the file."""
        chunk = os.pread(self.fd, READ_CHUNK_BYTES, self._read_to)
        if not chunk:
            return False
        self._read_to += len(chunk)
        *complete, self._partial = (self._partial + chunk).split(b"\n")
        end = self._read_to - len(self._partial)
        ends = []
        for raw in reversed(complete):
            ends.append(end)
            end -= len(raw) + 1
        self._lines.extend(zip(complete, reversed(ends)))
        return True

    def next_line(self) -> Optional[Line]:
        """The next complete line, or None when there is none yet (a partial last line waits for its newline)."""
        if not self._lines:
            self._check_truncated()
            while not self._lines:
                if not self._fill():
                    return None
        raw, end = self._lines.popleft()
        self._handed = Position(end, raw, self.truncations)
        return Line(raw.decode("utf-8", errors="replace"), self._handed)

    def position(self) -> Position:
        """Where the lines handed out so far end."""
        return self._handed

    def commit(self, position: Position) -> None:
        """Lines up to ``position`` are published; ignored if the file was truncated since it was taken."""
        if position.generation == self.truncations and position.offset >= self.committed.offset:
            self.committed = position

    def rewind(self) -> None:
        """Hand out again the lines after the committed position (their batch was not published)."""
        self._restart(self.committed)

    def is_detached(self) -> bool:
        """True when the file's name no longer leads to this file (renamed away or deleted)."""
        try:
            return identity_of(os.stat(self.path)) != self.identity
        except FileNotFoundError:
            return True

    def fully_published(self) -> bool:
        """True when every byte of the file is published: nothing buffered, no partial line, at its end."""
        size = os.fstat(self.fd).st_size
        return not self._lines and not self._partial and self.committed.offset == self._read_to == size

    def close(self) -> None:
        """Close the file (once)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
