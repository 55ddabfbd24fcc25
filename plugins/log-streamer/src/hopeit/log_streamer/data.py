"""Data objects of the log-streamer: its settings, the raw and parsed batches, and file checkpoints."""

from typing import Dict, List

from hopeit.dataobjects import dataclass, dataobject

__all__ = ["Checkpoint", "LogBatch", "LogEntry", "LogRawBatch", "LogReaderConfig"]


@dataobject
@dataclass
class LogReaderConfig:
    """Settings of the ``log_reader`` event (its own settings section).

    :field logs_path: folder of the engine's log files (the server's ``logging.log_path``).
    :field prefix: only files whose name starts with it are followed.
    :field checkpoint_path: folder where the position reached in each file is kept.
    :field file_open_timeout_secs: a file with nothing new for this long is closed (reopened when written).
    :field file_checkpoint_expire_secs: a checkpoint not saved again for this long is forgotten.
    :field batch_size: most lines in one published batch.
    :field batch_wait_interval_secs: longest wait for file changes when there is nothing to read.
    """

    logs_path: str
    prefix: str = ""
    checkpoint_path: str = "log_streamer/checkpoints/"
    file_open_timeout_secs: int = 600
    file_checkpoint_expire_secs: int = 86400
    batch_size: int = 10000
    batch_wait_interval_secs: int = 1


@dataobject
@dataclass
class LogRawBatch:
    """Lifecycle lines (START, DONE, FAILED, IGNORED) read from the log files, without their newline."""

    data: List[str]


@dataobject
@dataclass
class LogEntry:
    """One parsed lifecycle line.

    :field ts: the line's time as written (``2021-06-02 18:01:44,290``, UTC).
    :field msg: ``START``, ``DONE``, ``FAILED`` or ``IGNORED``.
    :field event: ``<app key>.<event name>``, e.g. ``simple_example.0x24.query_something``.
    :field extra: the ``k=v`` values of the line (track ids, metrics, extra values).
    """

    ts: str
    msg: str
    app_name: str
    app_version: str
    event_name: str
    event: str
    extra: Dict[str, str]
    host: str = ""
    pid: str = ""


@dataobject
@dataclass
class LogBatch:
    """Entries published together on the stream ``hopeit.log-streamer.logs``."""

    entries: List[LogEntry]


@dataobject
@dataclass
class Checkpoint:
    """How far one log file has been published; saved in ``checkpoint_path`` after each batch.

    The file is recognised by ``device`` and ``inode`` (not by its name, which logrotate changes), and
    ``line``, the last line read before ``offset``, must still end there: a file truncated and written
    again, or a new file that got a recycled inode, fails that check and is read from its start.

    :field line: the last line read (without its newline).
    :field expire: epoch seconds after which the checkpoint is ignored.
    :field offset: bytes of the file read and published (or filtered out).
    :field device: ``st_dev`` of the file.
    :field inode: ``st_ino`` of the file.
    :field path: the file's path when the checkpoint was saved (for people reading it).
    """

    line: str
    expire: int
    offset: int = 0
    device: int = 0
    inode: int = 0
    path: str = ""
