"""The items buffered by the stream batch storage events of this process, and how they are flushed.

There is one ``EventBuffer`` per host app and event, so two apps (or two events of one app) that
use the batch storage event with different paths never mix their items. Items are kept as their
JSON line, made when the item arrives: a value that cannot be written fails its own stream
message (which stays unacked) instead of poisoning a whole batch later.

No locks are needed: every change of the buffers happens on the event loop thread without an
``await`` in between, and a flush takes the partition out of the buffer before it starts
writing, so an item is written by exactly one flush.
"""

import asyncio
import os
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from aiofiles.os import wrap
from hopeit.app.context import EventContext
from hopeit.app.names import base_event_name
from hopeit.fs_storage import FileStorageSettings, _paths, _sweep

__all__ = ["SUFFIX", "EventBuffer", "Partition", "buffers", "event_buffer", "flush_all", "flush_partition"]

#: File suffix of the batch files: one JSON document per line.
SUFFIX = ".jsonlines"


@dataclass
class Partition:
    """Items waiting to be written to one partition folder, as JSON lines."""

    lines: List[str] = field(default_factory=list)


@dataclass
class EventBuffer:
    """What one batch storage event of one app holds, and where it writes."""

    settings: FileStorageSettings
    partitions: Dict[str, Partition] = field(default_factory=dict)
    #: Set when the service loop ended: items that still arrive are written at once.
    stopped: bool = False
    #: The sweep of stale temp files in ``settings.path`` started with this buffer (None: not started).
    temp_sweep: "Optional[Future[List[str]]]" = None


#: ``(app key, event name)`` -> buffer.
buffers: Dict[Tuple[str, str], EventBuffer] = {}


def event_key(context: EventContext) -> Tuple[str, str]:
    """Buffer key of the event of ``context`` (its ``$__service__`` shares the event's buffer)."""
    return context.app_key, base_event_name(context.event_name)


def event_buffer(context: EventContext) -> EventBuffer:
    """The buffer of the event of ``context``, created on first use with the event's settings."""
    settings = context.settings(datatype=FileStorageSettings)
    buffer = buffers.get(event_key(context))
    if buffer is None:
        buffer = buffers[event_key(context)] = EventBuffer(settings=settings)
        # batch files are written atomically too: remove what writers killed mid-write left behind
        buffer.temp_sweep = _sweep.start_sweep(
            settings.path, os.path.realpath(settings.path), settings.stale_temp_seconds
        )
    else:
        buffer.settings = settings
    return buffer


def _write_batch(base_path: str, partition_key: str, file_name: str, data: bytes, fsync: bool) -> str:
    os.makedirs(base_path, exist_ok=True)
    real_base = os.path.realpath(base_path)
    partition = _paths.check_partition_key(partition_key)
    directory = os.path.join(base_path, partition) if partition else base_path
    _paths.write_atomic(directory, file_name, data, real_base, fsync)
    return os.path.join(directory, file_name)


_write_batch_async = wrap(_write_batch)


async def flush_partition(buffer: EventBuffer, partition_key: str) -> Optional[str]:
    """Write the items of ``partition_key`` to a new ``<uuid>.jsonlines`` file; its path, or None if empty.

    The file appears atomically. If the write fails, or the task is cancelled before it is known
    to have succeeded, the items go back to the front of the partition so a later flush retries them.
    """
    partition = buffer.partitions.pop(partition_key, None)
    if partition is None or not partition.lines:
        return None
    data = "".join(partition.lines).encode()
    write = asyncio.ensure_future(
        _write_batch_async(buffer.settings.path, partition_key, f"{uuid.uuid4()}{SUFFIX}", data, buffer.settings.fsync)
    )

    def restore_on_failure(done: "asyncio.Future[str]") -> None:
        if done.cancelled() or done.exception() is not None:
            buffer.partitions.setdefault(partition_key, Partition()).lines[:0] = partition.lines

    write.add_done_callback(restore_on_failure)
    # shielded: a cancelled caller must not leave the outcome of a write that is still running unknown
    path: str = await asyncio.shield(write)
    return path


async def flush_all(buffer: EventBuffer) -> List[str]:
    """Flush every partition of ``buffer``; the paths of the files written."""
    written = []
    for partition_key in list(buffer.partitions):
        path = await flush_partition(buffer, partition_key)
        if path is not None:
            written.append(path)
    return written
