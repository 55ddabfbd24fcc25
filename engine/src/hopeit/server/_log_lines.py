"""Writing engine log lines fast: the handlers of hopeit loggers and the direct line path.

A standard ``logging`` call builds a ``LogRecord``, runs filters, formats the record and flushes
the file after every line: about 12 us per line, two lines per request at INFO. The engine's own
calls (``EngineLoggerWrapper``) write the same text straight to these handlers when nothing else
listens on the logger (no filters, no other handlers, no propagation), and anything else still
goes through ``logging`` unchanged.

Lines written while an event loop runs are flushed together once the loop turn ends (one write
per turn instead of one per line); WARNING and above, and lines written outside a loop, are
flushed at once, as ``logging`` does. A process leaving without Python's shutdown (``os._exit``)
calls ``flush_line_handlers`` first, so the lines of its last turn are not lost.

Values in a line come from outside (track ids, query args and payload fields an app logs): one
with a newline would start a forged line. ``escape_line`` makes control characters visible
escapes, so one call always writes one line.

When the engine's own lines must go through ``logging`` (a filter or another handler listens, or
a traceback is attached), ``EngineRecord`` builds their records without looking up the caller's
frame, thread, process or task, which the line format never shows. Only those records skip the
lookups: ``logging``'s global switches stay as they are for every other library.
"""

import asyncio
import json
import logging
import re
import time
import urllib.parse
import weakref
from collections.abc import Mapping
from logging.handlers import WatchedFileHandler
from typing import Any, Dict, List, Optional, Tuple

__all__ = [
    "EngineRecord",
    "LineFileHandler",
    "LineStreamHandler",
    "asctime",
    "escape_line",
    "flush_line_handlers",
    "line_handlers",
    "readable_trace",
]

#: C0 controls, DEL, C1 controls (NEL among them) and the Unicode line and paragraph separators:
#: what can break a line, or hide or rewrite text on a terminal, and what no log value needs raw
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: "re.Match[str]") -> str:
    char = match.group()
    known = _ESCAPES.get(char)
    if known is not None:
        return known
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_line(text: str) -> str:
    r"""``text`` with control characters written as visible escapes, so it cannot span lines.

    ``\n``, ``\r`` and ``\t`` become backslash and a letter, other controls ``\xNN`` (NUL is
    ``\x00``) and the Unicode separators ``\u2028`` and ``\u2029``. Letters of any script,
    spaces, symbols and backslashes are kept as they are, so most text comes back unchanged (and
    escaping twice changes nothing more). The common case costs one ``str.isprintable`` scan.
    """
    if text.isprintable():
        return text
    return _CONTROL.sub(_escaped, text)


_second = -1
_second_text = ""
_milli = -1
_milli_text = ""


def asctime(now: float) -> str:
    """``2024-05-01 10:20:30,123`` in UTC, as ``logging``'s default time format.

    The text is kept for the millisecond it names (a busy server writes many lines in each) and the
    date part for the second.
    """
    global _second, _second_text, _milli, _milli_text
    second = int(now)
    milli = int((now - second) * 1000) + second * 1000  # the milliseconds as logging computes them
    if milli == _milli:
        return _milli_text
    if second != _second:
        _second, _second_text = second, time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(second))
    _milli, _milli_text = milli, "%s,%03d" % (_second_text, milli - second * 1000)  # noqa: UP031 - faster
    return _milli_text


def _record_defaults() -> Dict[str, Any]:
    """The attributes of a record of this Python version, as ``logging`` sets them with its lookups off."""
    sample = logging.LogRecord("", logging.NOTSET, "(unknown file)", 0, "", (), None, "(unknown function)")
    values = dict(sample.__dict__)
    for looked_up in ("thread", "threadName", "process", "processName", "taskName"):
        if looked_up in values:
            values[looked_up] = None
    values["_start"] = sample.created - sample.relativeCreated / 1000  # when logging was loaded
    return values


_RECORD_DEFAULTS = _record_defaults()
_LOGGING_START: float = _RECORD_DEFAULTS.pop("_start")


class EngineRecord(logging.LogRecord):
    """A record of an engine line that goes through ``logging``: what ``LogRecord`` holds, minus lookups.

    Caller file, line and function read ``(unknown file)``, ``0``, ``(unknown function)``; thread,
    process and task are None. ``extra`` is the line's extra column.
    """

    def __init__(  # the base __init__ is not called on purpose: it makes the lookups this skips
        self, name: str, level: int, msg: Any, args: Any, extra: str, exc_info: Any = None
    ) -> None:
        self.__dict__.update(_RECORD_DEFAULTS)
        if args and len(args) == 1 and isinstance(args[0], Mapping) and args[0]:
            args = args[0]  # ``log("%(key)s", {"key": 1})``, as LogRecord reads it
        now = time.time()
        self.name, self.msg, self.args = name, msg, args
        self.levelname, self.levelno = logging.getLevelName(level), level
        self.exc_info = exc_info
        self.created, self.msecs = now, (now - int(now)) * 1000
        self.relativeCreated = (now - _LOGGING_START) * 1000
        self.extra = extra


class _LineWriter:
    """What both line handlers add to their ``logging`` base class: lines of a loop turn written together."""

    lock: Any
    stream: Any
    handleError: Any
    _loop: Optional[asyncio.AbstractEventLoop] = None  # the loop whose turn has lines waiting
    _buffer: Optional[List[str]] = None  # those lines; only that loop's thread touches them

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _ALL_WRITERS.add(self)

    def write_line(self, line: str, level: int) -> None:
        """Write one formatted line (ending in a newline); a failing stream is reported, never raised."""
        try:
            self._write_line(line, level)
        except Exception:  # noqa: BLE001 - logging must never break the caller
            self.handleError(logging.makeLogRecord({"msg": line.rstrip("\n"), "levelno": level}))

    def _write_line(self, line: str, level: int) -> None:
        try:
            loop: Optional[asyncio.AbstractEventLoop] = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None and level < logging.WARNING:
            buffer = self._buffer
            if buffer is not None and loop is self._loop:
                buffer.append(line)
                if len(buffer) >= MAX_TURN_LINES:  # a turn that goes on and on: write what it has
                    with self.lock:
                        self._write_buffer()
                        self._loop, self._buffer = loop, []
                return
            if self._buffer is None or not self._loop.is_running():  # type: ignore[union-attr]
                with self.lock:
                    if self._buffer is not None:
                        self._write_buffer()  # left by a loop that stopped before its turn ended
                self._loop, self._buffer = loop, [line]
                loop.call_soon(self._flush_turn, loop)
                return
        with self.lock:
            if self._may_write_buffer(loop):
                self._write_buffer()  # keep the order of the lines
            self._before_write()
            self.stream.write(line)
            self.stream.flush()

    def _flush_turn(self, loop: asyncio.AbstractEventLoop) -> None:
        if loop is not self._loop:
            return
        try:
            with self.lock:
                self._write_buffer()
                if self.stream is not None and not self.stream.closed:
                    self.stream.flush()
        except Exception:  # noqa: BLE001
            self.handleError(logging.makeLogRecord({"msg": "(log lines of a loop turn)"}))

    def _may_write_buffer(self, running: Optional[asyncio.AbstractEventLoop]) -> bool:
        # the lines of a loop turn are that loop's thread's, unless the loop no longer runs
        owner = self._loop
        return owner is not None and (owner is running or not owner.is_running())

    def _write_buffer(self) -> None:
        buffer, self._buffer, self._loop = self._buffer, None, None
        if buffer:
            self._before_write()
            self.stream.write("".join(buffer))

    def flush(self) -> None:
        """Write the lines waiting for their loop turn to end (unless it runs in another thread), then flush."""
        with self.lock:
            try:
                running: Optional[asyncio.AbstractEventLoop] = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if self._may_write_buffer(running):
                self._write_buffer()
            super().flush()  # type: ignore[misc]

    def write_all_now(self) -> None:
        """Write every waiting line and flush, whichever thread's loop they wait for (at process exit)."""
        with self.lock:
            if self._buffer is not None:
                self._write_buffer()
            if self.stream is not None and not self.stream.closed:
                self.stream.flush()

    def _before_write(self) -> None:
        """Hook run before writing (the file handler checks for log rotation)."""


class LineFileHandler(_LineWriter, WatchedFileHandler):
    """Log file handler; reopens the file when logrotate moved it (checked at most once a second)."""

    _checked = 0.0

    def _before_write(self) -> None:
        if self.stream is None:  # closed by close(): logging reopens on the next record too
            self.stream = self._open()
        self.reopenIfNeeded()

    def reopenIfNeeded(self) -> None:
        """Reopen a moved or deleted file, checking at most once a second instead of every line."""
        now = time.monotonic()
        if now - self._checked >= 1.0:
            self._checked = now
            super().reopenIfNeeded()

    def emit(self, record: logging.LogRecord) -> None:
        """A record from plain ``logging`` calls: same buffering as the direct lines."""
        try:
            self.write_line(self.format(record) + self.terminator, record.levelno)
        except Exception:  # noqa: BLE001 - logging must never break the caller
            self.handleError(record)


#: The traceback column of a line: ``trace=`` and the URL-quoted JSON list of its lines
_TRACE_COLUMN = re.compile(r" \| trace=([^ |]+)")


def readable_trace(line: str) -> str:
    """``line`` with its ``trace=`` column (the form of log files) written out as the traceback's lines.

    A column that does not decode is left as it is.
    """
    found = _TRACE_COLUMN.search(line)
    if found is None:
        return line
    try:
        frames = json.loads(urllib.parse.unquote(found.group(1)))
    except ValueError:
        return line
    if not isinstance(frames, list) or not all(isinstance(frame, str) for frame in frames):
        return line
    head = (line[: found.start()] + line[found.end():]).rstrip("\n")
    # frames are the traceback module's own text: indent them so that no line of it looks like a log line
    return head + "\n" + "".join("    " + text for frame in frames for text in frame.splitlines(keepends=True))


class LineStreamHandler(_LineWriter, logging.StreamHandler):  # type: ignore[type-arg]
    """Console handler (stderr): tracebacks written as readable lines, not as the quoted column of files."""

    def write_line(self, line: str, level: int) -> None:
        """Write one formatted line; a ``trace=`` column becomes the traceback's own lines."""
        if " | trace=" in line:
            line = readable_trace(line)
        super().write_line(line, level)

    def emit(self, record: logging.LogRecord) -> None:
        """A record from plain ``logging`` calls: same buffering as the direct lines."""
        try:
            self.write_line(self.format(record) + self.terminator, record.levelno)
        except Exception:  # noqa: BLE001
            self.handleError(record)


#: Lines one loop turn keeps before writing them anyway: a turn that never yields (a CPU-bound step
#: logging in a loop) must not hold its lines, and their memory, until it ends.
MAX_TURN_LINES = 1000

#: every line handler alive: what ``flush_line_handlers`` writes out
_ALL_WRITERS: "weakref.WeakSet[_LineWriter]" = weakref.WeakSet()


def flush_line_handlers() -> None:
    """Write the lines every line handler keeps for its loop turn, and flush them.

    For a process about to leave without Python's shutdown (``os._exit``), which would drop them.
    A handler that fails to write is reported on stderr (``logging``'s handleError), never raised.
    """
    for writer in list(_ALL_WRITERS):
        try:
            writer.write_all_now()
        except Exception:  # noqa: BLE001 - leaving the process must not fail on a broken log stream
            writer.handleError(logging.makeLogRecord({"msg": "(log lines waiting at exit)"}))


_LINE_HANDLERS = (LineFileHandler, LineStreamHandler)


def line_handlers(logger: logging.Logger) -> Optional[Tuple[Any, ...]]:
    """The handlers lines can go to directly, or None when the logger must go through ``logging``."""
    if logger.propagate or logger.filters:
        return None
    handlers = logger.handlers
    for handler in handlers:
        if handler.__class__ not in _LINE_HANDLERS or handler.filters:
            return None
    return tuple(handlers)
