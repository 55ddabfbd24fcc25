"""Event ``log_reader``: a SERVICE that publishes the engine's lifecycle log lines as ``LogBatch``.

``__service__`` follows the log files of ``logs_path`` (see ``LogFileHandler``) and yields the
START, DONE, FAILED and IGNORED lines it finds as ``LogRawBatch`` items; the step
``process_log_data`` parses them into a ``LogBatch``, which the engine publishes to the event's
``write_stream`` (``hopeit.log-streamer.logs``).

**Delivery.** The engine runs a yielded item through the step and the stream write before the
service goes on. The step yields its ``LogBatch`` (a spawning step) and, with the stream's
``batch_size`` at 1 (the packaged config), the engine writes it before the step resumes: the step
then tells the service the batch is published, and the service moves each file's checkpoint past its
lines and saves it. A batch whose write fails (Redis down) is never confirmed: its lines are read
again and published once the stream takes them. So no line is lost, and a line is published twice
only if the process dies between the write and the checkpoint save (kill -9, power loss): then the
lines of that one batch are published again after the restart.
"""

import asyncio
import logging
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from hopeit.app.context import EventContext
from hopeit.app.events import Spawn, service_running
from hopeit.app.logger import app_extra_logger
from hopeit.log_streamer.data import LogBatch, LogRawBatch, LogReaderConfig
from hopeit.log_streamer.handler import LogFileHandler, start_observer
from hopeit.log_streamer.parsing import counters, parse_lines

__all__ = ["__service__", "__steps__", "process_log_data"]

__steps__ = ["process_log_data"]

logger, extra = app_extra_logger()
plugin_logger = logging.getLogger("hopeit.log_streamer")


@dataclass
class _Receipt:
    """Whether the batch the service yielded last was published (set by the step)."""

    published: bool = False


#: one receipt per running service, by (app key, event name): only one batch is in flight per service
_receipts: Dict[Tuple[str, str], _Receipt] = {}


def _receipt(context: EventContext) -> Optional[_Receipt]:
    return _receipts.get((context.app_key, context.event_name))


async def __service__(context: EventContext) -> Spawn[LogRawBatch]:
    """Yield batches of lifecycle lines as they are written, until the service is stopped."""
    config = context.settings(datatype=LogReaderConfig)
    handler = LogFileHandler(config, context)
    observer = start_observer(handler, handler.folder)
    receipt = _receipts[(context.app_key, context.event_name)] = _Receipt()
    if context.settings.stream.batch_size != 1:
        logger.warning(
            context,
            "log-streamer: stream batch_size is not 1: a batch is taken as published before it is written, "
            "so a failed write loses its lines; set batch_size 1 in the stream settings",
        )
    unparsable = counters.unparsable
    try:
        while service_running(context):
            batch = handler.take_batch()
            if batch.lines:
                receipt.published = False
                yield LogRawBatch(data=batch.lines)
                if not receipt.published:  # the write failed: read the same lines again, a little later
                    handler.rewind(batch)
                    await asyncio.sleep(config.batch_wait_interval_secs)
                    continue
            if batch:
                handler.commit(batch)
            handler.close_inactive_files()
            if not batch:
                await handler.wait_for_changes(config.batch_wait_interval_secs)
            if counters.unparsable != unparsable:
                plugin_logger.warning(
                    "log-streamer: %s lines skipped, not parsable (%s since start)",
                    counters.unparsable - unparsable, counters.unparsable,
                )
                unparsable = counters.unparsable
    finally:
        observer.stop()  # type: ignore[no-untyped-call,unused-ignore]
        await asyncio.get_running_loop().run_in_executor(None, observer.join)
        handler.close()
        _receipts.pop((context.app_key, context.event_name), None)


async def process_log_data(payload: LogRawBatch, context: EventContext) -> Spawn[LogBatch]:
    """Parse the lines into a ``LogBatch`` (lines that do not parse are skipped and counted)."""
    entries = parse_lines(payload.data)
    receipt = _receipt(context)
    if not entries:
        if receipt is not None:
            receipt.published = True  # nothing to publish
        return
    if receipt is not None and context.settings.stream.batch_size != 1:
        receipt.published = True  # the engine writes after this step ends: no way to know better
    yield LogBatch(entries=entries)
    if receipt is not None:
        receipt.published = True
