"""Stream batch storage: a STREAM event that writes the items it reads to ``.jsonlines`` files in batches.

Name this module as the ``impl`` of a STREAM event of your app, list the data objects it reads,
and give it ``FileStorageSettings`` in the event's settings section::

    "events": {
      "storage.save_events_fs": {
        "type": "STREAM",
        "read_stream": {"name": "my_app.events", "consumer_group": "{auto}"},
        "impl": "hopeit.fs_storage.events.stream_batch_storage",
        "dataobjects": ["my_app.model.Something"]
      }
    },
    "settings": {
      "storage.save_events_fs": {
        "path": "/var/data/events", "partition_dateformat": "%Y/%m/%d",
        "flush_seconds": 60, "flush_max_size": 1000
      }
    }

Items are buffered per date partition (of their ``event_ts()``) and written as
``<path>/<partition>/<uuid>.jsonlines``, one JSON document per line, when a partition holds
``flush_max_size`` items, and every ``flush_seconds`` from the service loop
(``<event>$__service__``). Each file appears atomically.

**Shutdown.** The engine stops a service by clearing its running flag and waits for the loop
to end. When ``service_running(context)`` turns False the loop writes every partition still
buffered before it returns, and from then on items that still arrive are written at once: a
clean stop loses nothing that was buffered. Items are acknowledged on the stream once buffered,
so a crash of the process (kill -9) loses the items buffered since the last flush; keep
``flush_seconds`` short where that matters.
"""

import asyncio
import time
from typing import Optional

from hopeit.app.context import EventContext
from hopeit.app.events import Spawn, service_running
from hopeit.app.logger import app_logger
from hopeit.dataobjects import DataObject, dataclass, dataobject
from hopeit.dataobjects.payload import Payload
from hopeit.fs_storage._paths import check_partition_key
from hopeit.fs_storage.events._buffers import SUFFIX, Partition, event_buffer, flush_all, flush_partition
from hopeit.fs_storage.partition import get_partition_key

__all__ = ["SUFFIX", "FlushSignal", "Partition", "__service__", "__steps__", "buffer_item", "flush"]

__steps__ = ["buffer_item", "flush"]

logger = app_logger()

#: Longest time the service loop sleeps before looking at its running flag again.
STOP_POLL_SECONDS = 1.0


@dataobject
@dataclass
class FlushSignal:
    """Asks to write the items buffered for one partition (``""`` when not partitioned)."""

    partition_key: str


async def __service__(context: EventContext) -> Spawn[FlushSignal]:
    """Every ``flush_seconds``, yield a ``FlushSignal`` per buffered partition; flush everything on stop."""
    buffer = event_buffer(context)
    buffer.stopped = False
    settings = buffer.settings
    if settings.flush_seconds:
        logger.info(context, f"flushing buffered items every {settings.flush_seconds} seconds to {settings.path}")
    elif settings.flush_max_size == 0:
        logger.warning(context, "flush_seconds and flush_max_size are 0: items are written only when the service stops")
    else:
        logger.info(context, f"flushing every {settings.flush_max_size} items per partition to {settings.path}")
    last_flush = time.monotonic()
    while service_running(context):
        wait = STOP_POLL_SECONDS
        if settings.flush_seconds:
            wait = min(wait, max(0.0, last_flush + settings.flush_seconds - time.monotonic()))
        await asyncio.sleep(wait)
        if settings.flush_seconds and time.monotonic() - last_flush >= settings.flush_seconds:
            last_flush = time.monotonic()
            for partition_key in list(buffer.partitions):
                yield FlushSignal(partition_key=partition_key)
    # Stopping: write here rather than yield signals, since the engine may not run items yielded after stop
    buffer.stopped = True
    written = await flush_all(buffer)
    logger.info(context, f"service stopped: wrote {len(written)} final batch file(s)")


async def buffer_item(payload: DataObject, context: EventContext) -> Optional[FlushSignal]:
    """Keep ``payload`` in its partition; a ``FlushSignal`` when the partition reached ``flush_max_size``."""
    buffer = event_buffer(context)
    settings = buffer.settings
    # checked now, so an unsafe partition format fails this item instead of every later flush
    partition_key = get_partition_key(payload, settings.partition_dateformat)
    check_partition_key(partition_key)
    partition = buffer.partitions.get(partition_key)
    if partition is None:
        partition = buffer.partitions[partition_key] = Partition()
    partition.lines.append(Payload.to_json_bytes(payload).decode() + "\n")
    if buffer.stopped or (settings.flush_max_size and len(partition.lines) >= settings.flush_max_size):
        return FlushSignal(partition_key=partition_key)
    return None


async def flush(signal: FlushSignal, context: EventContext) -> None:
    """Write the items buffered for ``signal.partition_key`` (nothing when another flush took them)."""
    path = await flush_partition(event_buffer(context), signal.partition_key)
    if path is not None:
        logger.info(context, f"batch written: {path}")
