"""A STREAM event reading several queues reads them all in one call (issue #19).

``loop_stream`` reads queues ``AUTO`` and ``high`` (streams ``steps_app.in`` and ``steps_app.in.high``).
The read timeout is set long: a message on the second queue of an idle event must be processed well
before it would run out, which only holds when one wait covers both queues.
"""

import asyncio
import uuid
from typing import Any, AsyncIterator, Dict, List, Tuple, Union

import pytest
from hopeit.app.config import AppConfig
from hopeit.contracts.discovery import load_stream_manager_class
from hopeit.contracts.settings import LoggingConfig, ServerConfig, StreamsConfig
from hopeit.server import logger as logger_module
from hopeit.server.engine import AppEngine
from hopeit.streams import StreamCircuitBreaker, StreamEvent, StreamManager
from hopeit.streams.memory import MemoryStreamManager
from hopeit.testing.apps import config
from hopeit.testing.waiting import wait_until
from steps_app import CONFIG, LoopData, OtherData
from steps_app.events import loop_stream

GROUP = "steps_app.1x0.loop_stream"
FIRST, SECOND = "steps_app.in", "steps_app.in.high"
#: read_stream_timeout of these tests (ms): far longer than any wait below
LONG_MS = 5000


class Manager024(StreamManager):
    """A third-party stream manager as written for hopeit.engine 0.24, over the memory manager.

    Its constructor takes ``address`` only and does not call ``StreamManager.__init__``; it has no
    ``read_streams``. It records the ``(stream, timeout)`` of every read.
    """

    def __init__(self, *, address: str) -> None:
        self.address = address
        self.inner = MemoryStreamManager(address=address)
        self.reads: List[Tuple[str, int]] = []

    async def connect(self) -> "Manager024":
        await self.inner.connect()
        return self

    async def close(self) -> None:
        await self.inner.close()

    async def write_stream(self, **kwargs: Any) -> int:
        return await self.inner.write_stream(**kwargs)

    async def ensure_consumer_group(self, *, stream_name: str, consumer_group: str) -> None:
        await self.inner.ensure_consumer_group(stream_name=stream_name, consumer_group=consumer_group)

    async def read_stream(self, **kwargs: Any) -> List[Union[StreamEvent, Exception]]:
        self.reads.append((kwargs["stream_name"], kwargs["timeout"]))
        return await self.inner.read_stream(**kwargs)

    async def ack_read_stream(self, **kwargs: Any) -> int:
        return await self.inner.ack_read_stream(**kwargs)


def app_config(stream_manager: str) -> AppConfig:
    result = config(CONFIG)
    result.engine.read_stream_timeout = LONG_MS
    result.server = ServerConfig(
        streams=StreamsConfig(
            stream_manager=stream_manager, connection_str=f"test-{uuid.uuid4()}", delay_auto_start_seconds=0
        ),
        logging=LoggingConfig(log_level="INFO"),
    )
    return result


async def started(stream_manager: str) -> AppEngine:
    return await AppEngine(app_config=app_config(stream_manager), plugins=[]).start()


@pytest.fixture
async def engine() -> AsyncIterator[AppEngine]:
    saved = (logger_module._config, logger_module._engine_name)
    app_engine = await started("memory")
    loop_stream.SEEN.clear()
    yield app_engine
    await memory(app_engine).close()  # ends a blocked read at once, so stopping does not wait LONG_MS
    await app_engine.stop()
    MemoryStreamManager.clear(app_engine.streams_config.connection_str)
    logger_module.init_logger(*saved)


def memory(engine: AppEngine) -> MemoryStreamManager:
    breaker = engine.stream_manager
    assert isinstance(breaker, StreamCircuitBreaker)
    inner = breaker.stream_manager
    if isinstance(inner, Manager024):
        inner = inner.inner
    assert isinstance(inner, MemoryStreamManager)
    return inner


async def write(engine: AppEngine, payload: Any, stream: str = FIRST, queue: str = "AUTO") -> None:
    settings = engine.event_settings("loop_stream").stream
    assert engine.stream_manager is not None
    assert settings.compression is not None and settings.serialization is not None
    await engine.stream_manager.write_stream(
        stream_name=stream, queue=queue, payload=payload, track_ids={"track.request_id": "r1"}, auth_info={},
        compression=settings.compression, serialization=settings.serialization,
    )


def waiting_readers(engine: AppEngine, stream: str) -> int:
    """Reads blocked on ``stream`` of the engine's memory manager."""
    from hopeit.streams import _memory_store  # tests look inside; the engine never does

    found = _memory_store.STREAMS.get(engine.streams_config.connection_str, {}).get(stream)
    return 0 if found is None else len(found.waiters)


async def stop_reading(engine: AppEngine, reading: "asyncio.Future[Any]") -> None:
    await engine.stop_event("loop_stream")
    await memory(engine).close()  # wakes the blocked read: the loop sees it was stopped
    await asyncio.wait_for(reading, 2)
    await memory(engine).connect()


async def test_idle_event_takes_a_message_on_its_second_queue_at_once(engine: AppEngine) -> None:
    """With the loop waiting on its queues, a message written to the second one is processed and
    acknowledged long before the read timeout of the first would have ended."""
    reading = asyncio.ensure_future(engine.read_stream(event_name="loop_stream", wait_start=False))
    await wait_until(lambda: waiting_readers(engine, FIRST), what="the read loop to wait on its first queue")
    await write(engine, LoopData(id="h"), stream=SECOND, queue="high")
    await wait_until(lambda: loop_stream.SEEN == ["h"], timeout=LONG_MS / 2000, what="the message on queue high")
    await wait_until(lambda: memory(engine).pending(SECOND, GROUP) == [], timeout=LONG_MS / 2000)
    assert not reading.done()
    await stop_reading(engine, reading)


async def test_messages_of_both_queues_are_consumed_once_and_acked_on_their_stream(
    engine: AppEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More messages than a batch on each queue: every one is processed once, and each is acknowledged
    on the stream it was read from."""
    acks: List[Tuple[str, List[str]]] = []
    inner = memory(engine)
    real_ack = inner.ack_read_stream_batch

    async def recording_ack(**kwargs: Any) -> int:
        acks.append((kwargs["stream_name"], [event.payload.id for event in kwargs["stream_events"]]))
        return await real_ack(**kwargs)

    monkeypatch.setattr(inner, "ack_read_stream_batch", recording_ack)
    for i in range(15):  # loop_stream reads batches of 10 per queue
        await write(engine, LoopData(id=f"a{i}"))
        await write(engine, LoopData(id=f"h{i}"), stream=SECOND, queue="high")
    await engine.read_stream(event_name="loop_stream", max_events=30, wait_start=False)
    assert sorted(loop_stream.SEEN) == sorted([f"a{i}" for i in range(15)] + [f"h{i}" for i in range(15)])
    assert inner.pending(FIRST, GROUP) == [] and inner.pending(SECOND, GROUP) == []
    acked: Dict[str, List[str]] = {FIRST: [], SECOND: []}
    for stream, ids in acks:
        acked[stream].extend(ids)
    assert acked == {FIRST: [f"a{i}" for i in range(15)], SECOND: [f"h{i}" for i in range(15)]}


async def test_undecodable_message_on_the_second_queue_stays_pending_there(engine: AppEngine) -> None:
    """A message the event cannot read is an error item of its own stream: logged, left pending there,
    while the messages around it are processed."""
    await write(engine, OtherData(name="x"), stream=SECOND, queue="high")
    await write(engine, LoopData(id="good"))
    await engine.read_stream(event_name="loop_stream", max_events=2, wait_start=False)
    assert loop_stream.SEEN == ["good"]
    assert memory(engine).pending(FIRST, GROUP) == []
    assert len(memory(engine).pending(SECOND, GROUP)) == 1


@pytest.fixture
async def engine024() -> AsyncIterator[AppEngine]:
    saved = (logger_module._config, logger_module._engine_name)
    app_engine = await started(f"{__name__}.Manager024")
    loop_stream.SEEN.clear()
    yield app_engine
    await memory(app_engine).close()
    await app_engine.stop()
    MemoryStreamManager.clear(app_engine.streams_config.connection_str)
    logger_module.init_logger(*saved)


def manager024(engine: AppEngine) -> Manager024:
    breaker = engine.stream_manager
    assert isinstance(breaker, StreamCircuitBreaker) and isinstance(breaker.stream_manager, Manager024)
    return breaker.stream_manager


def test_discovery_accepts_a_manager_without_read_streams() -> None:
    """``read_streams`` is not part of what a stream manager class must implement."""
    assert load_stream_manager_class(f"{__name__}.Manager024") is Manager024


async def test_a_manager_written_for_024_reads_its_queues_in_turn(engine024: AppEngine) -> None:
    """A third-party manager without ``read_streams`` (constructor taking ``address`` only) still runs the
    event: its queues are read one after the other, the full timeout while nothing came, 1 ms on the
    queues after one that gave messages; messages of both queues are processed and acknowledged."""
    manager = manager024(engine024)
    await write(engine024, LoopData(id="a"))
    await write(engine024, LoopData(id="h"), stream=SECOND, queue="high")
    await engine024.read_stream(event_name="loop_stream", max_events=2, wait_start=False)
    assert manager.reads == [(FIRST, LONG_MS), (SECOND, 1)]
    assert sorted(loop_stream.SEEN) == ["a", "h"]
    assert memory(engine024).pending(FIRST, GROUP) == [] and memory(engine024).pending(SECOND, GROUP) == []
