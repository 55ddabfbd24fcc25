"""A failed acknowledgement is a failure (issue #13, bug 1).

The stream circuit breaker swallowed ``StreamOSError`` from an acknowledgement and returned 0: the
read loop logged DONE with ``total_errors=0`` while the message stayed pending, and nothing ever
delivered it again. Now the error reaches the loop, which logs it and FAILED and counts it, and the
in-process manager delivers the message again once it has been pending ``claim_idle_ms``.
"""

import asyncio
import logging
import uuid
from typing import AsyncIterator, List, Optional

import pytest
from hopeit.app.config import Compression, Serialization
from hopeit.contracts.settings import LoggingConfig, ServerConfig, StreamsConfig
from hopeit.server import logger as logger_module
from hopeit.server.engine import AppEngine
from hopeit.streams import StreamCircuitBreaker, StreamEvent, StreamOSError
from hopeit.streams.memory import MemoryStreamManager
from hopeit.testing.apps import config
from hopeit.testing.waiting import wait_until
from steps_app import CONFIG, LoopData, LoopResult
from steps_app.events import loop_stream

from .fake_clock import FakeClock

GROUP = "steps_app.1x0.loop_stream"
CLAIM_IDLE_MS = 30_000  # far longer than the test runs: only the fake clock can make it pass
ACK_ERROR = "backend went away while acknowledging"


class FailingAckManager(MemoryStreamManager):
    """The in-process manager, whose next ``fail_acks`` acknowledgements fail as if the backend went away."""

    def __init__(self, *, address: str, config: Optional[StreamsConfig] = None) -> None:
        super().__init__(address=address, config=config)
        self.fail_acks = 0
        self.time = FakeClock()
        self.clock = self.time.now

    def _failing(self) -> bool:
        if self.fail_acks > 0:
            self.fail_acks -= 1
            return True
        return False

    async def ack_read_stream(self, *, stream_name: str, consumer_group: str, stream_event: StreamEvent) -> int:
        if self._failing():
            raise StreamOSError(ACK_ERROR)
        return await super().ack_read_stream(
            stream_name=stream_name, consumer_group=consumer_group, stream_event=stream_event
        )

    async def ack_read_stream_batch(
        self, *, stream_name: str, consumer_group: str, stream_events: List[StreamEvent]
    ) -> int:
        if self._failing():
            raise StreamOSError(ACK_ERROR)
        return await super().ack_read_stream_batch(
            stream_name=stream_name, consumer_group=consumer_group, stream_events=stream_events
        )


class Records(logging.Handler):
    """The lines an engine logs: ``LEVEL message | extra``."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.getMessage()} | {getattr(record, 'extra', '')}")


@pytest.fixture
async def engine() -> AsyncIterator[AppEngine]:
    saved = (logger_module._config, logger_module._engine_name)
    app_config = config(CONFIG)
    app_config.server = ServerConfig(
        streams=StreamsConfig(
            stream_manager=f"{__name__}.FailingAckManager", connection_str=f"test-{uuid.uuid4()}",
            delay_auto_start_seconds=0, initial_backoff_seconds=0.01, settings={"claim_idle_ms": CLAIM_IDLE_MS},
        ),
        logging=LoggingConfig(log_level="INFO"),
    )
    app_engine = await AppEngine(app_config=app_config, plugins=[]).start()
    yield app_engine
    await app_engine.stop()
    MemoryStreamManager.clear(app_engine.streams_config.connection_str)
    logger_module.init_logger(*saved)


def manager_of(engine: AppEngine) -> FailingAckManager:
    breaker = engine.stream_manager
    assert isinstance(breaker, StreamCircuitBreaker) and isinstance(breaker.stream_manager, FailingAckManager)
    return breaker.stream_manager


async def test_a_failed_ack_is_logged_counted_and_the_message_delivered_again(engine: AppEngine) -> None:
    loop_stream.SEEN.clear()
    manager = manager_of(engine)
    records = Records()
    event_logger = engine.event_logger("loop_stream").logger  # its lines go to the event's logger, as in 0.24
    event_logger.addHandler(records)
    try:
        manager.fail_acks = 1
        await manager.write_stream(
            stream_name="steps_app.in", queue="AUTO", payload=LoopData(id="once"), track_ids={}, auth_info={},
            compression=Compression.NONE, serialization=Serialization.JSON_UTF8,
        )
        reading = asyncio.ensure_future(engine.read_stream(event_name="loop_stream", max_events=2, wait_start=False))
        await wait_until(lambda: any(line.startswith("ERROR FAILED") for line in records.lines) or reading.done())
        assert not reading.done(), "the loop ended: the failed ack was taken for a success"
        errors = [line for line in records.lines if line.startswith("ERROR")]
        assert any(ACK_ERROR in line for line in errors)
        assert not any(line.startswith("INFO DONE") for line in records.lines)
        stats = [line for line in records.lines if "STATS" in line]
        assert stats and "metrics.stream.total_errors=1" in stats[-1]
        [pending] = manager.pending("steps_app.in", GROUP)  # left for a later delivery
        assert pending.delivery_count == 1

        manager.time.advance(CLAIM_IDLE_MS / 1000)  # nobody acknowledged it for claim_idle_ms
        last = await asyncio.wait_for(reading, 5)
        assert last == LoopResult(id="once", queue="steps_app.in")
        assert loop_stream.SEEN == ["once", "once"]  # at least once: processed again, then acknowledged
        assert manager.pending("steps_app.in", GROUP) == []
        assert sum(line.startswith("INFO DONE") for line in records.lines) == 1
    finally:
        event_logger.removeHandler(records)
