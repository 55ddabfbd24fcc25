import asyncio
import logging
from typing import Any, List, Optional, Union

import pytest
from hopeit.app._server_models import StreamsConfig
from hopeit.app.config import Compression, Serialization
from hopeit.streams import StreamBusyError, StreamCircuitBreaker, StreamEvent, StreamOSError
from hopeit.streams.circuit_breaker import CLOSED, OPEN, SEMI_OPEN
from hopeit.streams.memory import MemoryStreamManager, NoConsumerGroupError
from hopeit.streams.messages import payload_type_name

from .payloads import Plain

STREAM, GROUP = "cb.stream", "cb.group"
BACKOFF = 0.05


class FlakyManager(MemoryStreamManager):
    """A real memory stream manager whose backend can be switched off: every call raises StreamOSError."""

    def __init__(self, *, address: str, config: Optional[StreamsConfig] = None) -> None:
        super().__init__(address=address, config=config)
        self.down = False
        self.busy = False
        self.calls = 0
        self.connected = 0

    def _check(self) -> None:
        self.calls += 1
        if self.down:
            raise StreamOSError("Connection refused")
        if self.busy:
            raise StreamBusyError("every connection busy")

    async def connect(self) -> "FlakyManager":
        self.connected += 1
        await super().connect()
        return self

    async def write_stream(self, **kwargs: Any) -> int:  # type: ignore[override]
        self._check()
        return await super().write_stream(**kwargs)

    async def write_stream_batch(self, **kwargs: Any) -> int:  # type: ignore[override]
        self._check()
        return await super().write_stream_batch(**kwargs)

    async def ensure_consumer_group(self, *, stream_name: str, consumer_group: str) -> None:
        self._check()
        await super().ensure_consumer_group(stream_name=stream_name, consumer_group=consumer_group)

    async def read_stream(self, **kwargs: Any) -> List[Union[StreamEvent, Exception]]:  # type: ignore[override]
        self._check()
        return await super().read_stream(**kwargs)

    async def ack_read_stream(self, *, stream_name: str, consumer_group: str, stream_event: StreamEvent) -> int:
        self._check()
        return await super().ack_read_stream(
            stream_name=stream_name, consumer_group=consumer_group, stream_event=stream_event
        )

    async def ack_read_stream_batch(
        self, *, stream_name: str, consumer_group: str, stream_events: List[StreamEvent]
    ) -> int:
        self._check()
        return await super().ack_read_stream_batch(
            stream_name=stream_name, consumer_group=consumer_group, stream_events=stream_events
        )


@pytest.fixture
async def breaker(address: str) -> Any:
    config = StreamsConfig(
        stream_manager="memory", connection_str=address, initial_backoff_seconds=BACKOFF,
        max_backoff_seconds=4 * BACKOFF, num_failures_open_circuit_breaker=2,
    )
    cb = StreamCircuitBreaker.from_config(FlakyManager(address=address, config=config))
    yield await cb.connect()
    await cb.close()


async def write(cb: StreamCircuitBreaker, value: int = 1) -> int:
    return await cb.write_stream(
        stream_name=STREAM, queue="AUTO", payload=Plain(value=value), track_ids={}, auth_info={},
        compression=Compression.NONE, serialization=Serialization.JSON_UTF8,
    )


async def write_batch(cb: StreamCircuitBreaker, *values: int) -> int:
    return await cb.write_stream_batch(
        stream_name=STREAM, queue="AUTO", payloads=[Plain(value=v) for v in values], track_ids={}, auth_info={},
        compression=Compression.NONE, serialization=Serialization.JSON_UTF8,
    )


async def read(cb: StreamCircuitBreaker, group: str = GROUP) -> List[Union[StreamEvent, Exception]]:
    return await cb.read_stream(
        stream_name=STREAM, consumer_group=group, datatypes={payload_type_name(Plain): Plain}, track_headers=[],
        offset=">", batch_size=10, timeout=10, batch_interval=1000,
    )


def state(circuit: Any) -> Any:
    return circuit.state, circuit.num_failures, circuit.backoff


async def test_wraps_and_forwards(breaker: StreamCircuitBreaker) -> None:
    """With a healthy backend every call goes through, and other attributes are the wrapped manager's."""
    flaky = breaker.stream_manager
    assert isinstance(flaky, FlakyManager) and flaky.connected == 1
    assert breaker.address == flaky.address
    await breaker.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    assert await write(breaker, 1) == 1
    assert await write_batch(breaker, 2, 3) == 2
    result = await read(breaker)
    assert [e.payload.value for e in result if isinstance(e, StreamEvent)] == [1, 2, 3]
    assert isinstance(result[0], StreamEvent)
    assert await breaker.ack_read_stream(stream_name=STREAM, consumer_group=GROUP, stream_event=result[0]) == 1
    assert len(breaker.pending(STREAM, GROUP)) == 2  # forwarded to MemoryStreamManager.pending
    assert breaker.consumer_id == flaky.consumer_id
    assert state(breaker.reads) == state(breaker.writes) == (CLOSED, 0, 0.0)


async def test_write_failures_open_the_circuit_and_fail_fast(breaker: StreamCircuitBreaker) -> None:
    """A failed write backs off: further writes fail fast without reaching the backend until backoff passes."""
    flaky = breaker.stream_manager
    assert isinstance(flaky, FlakyManager)
    flaky.down = True
    with pytest.raises(StreamOSError, match="Connection refused"):
        await write(breaker)
    assert state(breaker.writes) == (SEMI_OPEN, 1, BACKOFF)
    calls = flaky.calls
    with pytest.raises(StreamOSError, match="Stream circuit breaker open"):
        await write(breaker)
    with pytest.raises(StreamOSError, match="Stream circuit breaker open"):
        await write_batch(breaker, 1)
    assert flaky.calls == calls
    await asyncio.sleep(BACKOFF)
    with pytest.raises(StreamOSError, match="Connection refused"):
        await write_batch(breaker, 1)
    assert state(breaker.writes) == (OPEN, 2, BACKOFF)
    for expected in (2 * BACKOFF, 4 * BACKOFF, 4 * BACKOFF):  # doubles while open, up to max
        await asyncio.sleep(breaker.writes.backoff)
        with pytest.raises(StreamOSError, match="Connection refused"):
            await write(breaker)
        assert state(breaker.writes) == (OPEN, 2, expected)
    flaky.down = False
    await asyncio.sleep(breaker.writes.backoff)
    assert await write(breaker) == 1
    assert state(breaker.writes) == (SEMI_OPEN, 1, BACKOFF)
    assert await write_batch(breaker, 1, 2) == 2
    assert state(breaker.writes) == (CLOSED, 0, 0.0)
    assert state(breaker.reads) == (CLOSED, 0, 0.0)


async def test_read_failures_come_back_as_items_and_wait_backoff(breaker: StreamCircuitBreaker) -> None:
    """A failed read returns [error]; the next read waits for the backoff; writes are not blocked."""
    await breaker.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    flaky = breaker.stream_manager
    assert isinstance(flaky, FlakyManager)
    flaky.down = True
    [error] = await read(breaker)
    assert isinstance(error, StreamOSError)
    assert state(breaker.reads) == (SEMI_OPEN, 1, BACKOFF)
    flaky.down = False
    assert await write(breaker, 5) == 1  # separate circuit: no fail-fast for writes
    loop = asyncio.get_running_loop()
    start = loop.time()
    result = await read(breaker)
    assert loop.time() - start >= BACKOFF * 0.9
    assert [e.payload.value for e in result if isinstance(e, StreamEvent)] == [5]
    assert state(breaker.reads) == (CLOSED, 0, 0.0)


async def test_ensure_errors_are_raised_ack_errors_swallowed(breaker: StreamCircuitBreaker, caplog: Any) -> None:
    """ensure_consumer_group re-raises backend errors; ack logs them and returns 0 (message stays pending)."""
    await breaker.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    await write(breaker, 1)
    [event] = await read(breaker)
    assert isinstance(event, StreamEvent)
    flaky = breaker.stream_manager
    assert isinstance(flaky, FlakyManager)
    flaky.down = True
    with pytest.raises(StreamOSError):
        await breaker.ensure_consumer_group(stream_name=STREAM, consumer_group="g2")
    with caplog.at_level(logging.WARNING, logger="hopeit.streams"):
        assert await breaker.ack_read_stream(stream_name=STREAM, consumer_group=GROUP, stream_event=event) == 0
    assert "Stream read failed" in caplog.text
    assert state(breaker.reads) == (OPEN, 2, BACKOFF)
    flaky.down = False
    await breaker.ensure_consumer_group(stream_name=STREAM, consumer_group="g2")
    assert await breaker.ack_read_stream(stream_name=STREAM, consumer_group=GROUP, stream_event=event) == 1
    assert state(breaker.reads) == (CLOSED, 0, 0.0)


async def test_batch_ack_forwarded_and_its_errors_swallowed(breaker: StreamCircuitBreaker) -> None:
    """ack_read_stream_batch goes through the read circuit: a backend error returns 0 and backs off."""
    await breaker.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    await write_batch(breaker, 1, 2)
    items = [e for e in await read(breaker) if isinstance(e, StreamEvent)]
    flaky = breaker.stream_manager
    assert isinstance(flaky, FlakyManager)
    flaky.down = True
    assert await breaker.ack_read_stream_batch(stream_name=STREAM, consumer_group=GROUP, stream_events=items) == 0
    assert state(breaker.reads) == (SEMI_OPEN, 1, BACKOFF)
    assert len(breaker.pending(STREAM, GROUP)) == 2
    flaky.down = False
    assert await breaker.ack_read_stream_batch(stream_name=STREAM, consumer_group=GROUP, stream_events=items) == 2
    assert state(breaker.reads) == (CLOSED, 0, 0.0) and breaker.pending(STREAM, GROUP) == []


async def test_other_errors_pass_through(breaker: StreamCircuitBreaker) -> None:
    """Errors that are not connectivity problems propagate and leave the circuit closed."""
    with pytest.raises(NoConsumerGroupError):
        await read(breaker, "missing")
    assert state(breaker.reads) == (CLOSED, 0, 0.0)


def test_defaults_from_config(address: str) -> None:
    """Without explicit config the wrapped manager's StreamsConfig gives the backoff settings."""
    manager = MemoryStreamManager(address=address)
    cb = StreamCircuitBreaker.from_config(manager)
    defaults = StreamsConfig()
    assert cb.reads.initial_backoff == defaults.initial_backoff_seconds
    assert cb.writes.max_backoff == defaults.max_backoff_seconds
    assert cb.writes.open_after == defaults.num_failures_open_circuit_breaker
    direct = StreamCircuitBreaker(stream_manager=manager)
    assert direct.config is manager.config
    with pytest.raises(AttributeError):
        _ = direct.no_such_attribute
    with pytest.raises(AttributeError):  # before __init__ sets it, no recursion through __getattr__
        _ = StreamCircuitBreaker.__new__(StreamCircuitBreaker).stream_manager


@pytest.fixture
async def long_backoff(address: str) -> Any:
    """A breaker whose backoff (30 s) outlasts any test: only probes (every 50 ms) can close it."""
    config = StreamsConfig(stream_manager="memory", connection_str=address, initial_backoff_seconds=30,
                           max_backoff_seconds=60)
    cb = StreamCircuitBreaker.from_config(FlakyManager(address=address, config=config))
    cb.writes.probe_interval = cb.reads.probe_interval = 0.05
    yield await cb.connect()
    await cb.close()


async def test_a_probe_closes_the_write_circuit_soon_after_the_backend_answers(
    long_backoff: StreamCircuitBreaker,
) -> None:
    """While backing off, one write per probe interval goes through: once the backend answers, writes work
    again long before the backoff ends; failed probes neither extend the backoff nor flood the backend."""
    flaky = long_backoff.stream_manager
    assert isinstance(flaky, FlakyManager)
    flaky.down = True
    with pytest.raises(StreamOSError, match="Connection refused"):
        await write(long_backoff)
    blocked_until = long_backoff.writes.blocked_until
    calls = flaky.calls
    refused = 0
    for _ in range(30):  # 0.3 s of writes every 10 ms: about 6 probes reach the backend
        with pytest.raises(StreamOSError) as caught:
            await write(long_backoff)
        refused += "circuit breaker open" in str(caught.value)
        await asyncio.sleep(0.01)
    assert 1 <= flaky.calls - calls <= 10 and refused >= 20
    assert long_backoff.writes.blocked_until == blocked_until and long_backoff.writes.backoff == 30
    flaky.down = False

    async def writes_work() -> bool:
        try:
            return await write(long_backoff) == 1
        except StreamOSError:
            await asyncio.sleep(0.01)
            return False

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5  # generous, and far below the 30 s backoff
    while not await writes_work():
        assert loop.time() < deadline, "writes still refused although the backend answers"
    assert state(long_backoff.writes) == (CLOSED, 0, 0.0) and long_backoff.writes.remaining() == 0


async def test_a_probe_ends_the_read_backoff(long_backoff: StreamCircuitBreaker) -> None:
    """A read waiting out a long backoff goes as a probe; a failed probe reads [] (no error flood); a good one reads."""
    await long_backoff.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    flaky = long_backoff.stream_manager
    assert isinstance(flaky, FlakyManager)
    flaky.down = True
    [error] = await read(long_backoff)
    assert isinstance(error, StreamOSError)
    assert await asyncio.wait_for(read(long_backoff), 5) == []  # a probe, still failing: quiet
    flaky.down = False
    assert await write(long_backoff, 3) == 1
    result = await asyncio.wait_for(read(long_backoff), 5)
    assert [e.payload.value for e in result if isinstance(e, StreamEvent)] == [3]
    assert long_backoff.reads.remaining() == 0


async def test_busy_backend_is_not_a_failure(breaker: StreamCircuitBreaker) -> None:
    """StreamBusyError (every connection in use) reaches the caller but never opens the circuit."""
    flaky = breaker.stream_manager
    assert isinstance(flaky, FlakyManager)
    flaky.busy = True
    for _ in range(3):
        with pytest.raises(StreamBusyError):
            await write(breaker)
    assert state(breaker.writes) == (CLOSED, 0, 0.0)
    flaky.busy = False
    assert await write(breaker) == 1


async def test_serializations_and_failures_reach_the_wrapped_manager(breaker: StreamCircuitBreaker) -> None:
    """What a read may decode, and why messages failed, are the wrapped manager's business."""
    breaker.allow_serializations(stream_name=STREAM, consumer_group=GROUP, serializations=[Serialization.PICKLE4])
    assert Serialization.PICKLE4 in breaker.stream_manager.allowed_serializations(STREAM, GROUP)
    assert breaker.allowed_serializations(STREAM, GROUP) == breaker.stream_manager.allowed_serializations(STREAM, GROUP)
    await breaker.record_failures(stream_name=STREAM, consumer_group=GROUP, failures=[])
