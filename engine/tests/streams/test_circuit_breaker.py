"""The stream circuit breaker (spec engine.md 10.3), driven by a fake clock: no real backoff is waited."""

import logging
from typing import Any, List, Optional, Sequence, Union

import pytest
from hopeit.app.config import Compression, Serialization
from hopeit.contracts.settings import StreamsConfig
from hopeit.dataobjects import EventPayload
from hopeit.streams import StreamBusyError, StreamCircuitBreaker, StreamEvent, StreamOSError, StreamWrite
from hopeit.streams.circuit_breaker import CLOSED, OPEN, SEMI_OPEN
from hopeit.streams.memory import MemoryStreamManager, NoConsumerGroupError
from hopeit.streams.messages import payload_type_name

from .fake_clock import FakeClock
from .payloads import Plain

STREAM, GROUP = "cb.stream", "cb.group"
BACKOFF = 1.0


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

    async def publish(self, write: StreamWrite, payloads: Sequence[EventPayload]) -> int:
        self._check()
        return await super().publish(write, payloads)

    async def ensure_consumer_group(self, *, stream_name: str, consumer_group: str) -> None:
        self._check()
        await super().ensure_consumer_group(stream_name=stream_name, consumer_group=consumer_group)

    async def read_stream(self, **kwargs: Any) -> List[Union[StreamEvent, Exception]]:
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
def clock() -> FakeClock:
    return FakeClock()


def wrap(address: str, clock: FakeClock, *, initial: float = BACKOFF, maximum: float = 4 * BACKOFF,
         open_after: int = 2) -> StreamCircuitBreaker:
    config = StreamsConfig(stream_manager="memory", connection_str=address)
    return StreamCircuitBreaker(
        stream_manager=FlakyManager(address=address, config=config), initial_backoff_seconds=initial,
        max_backoff_seconds=maximum, num_failures_open_circuit_breaker=open_after, clock=clock.now, sleep=clock.sleep,
    )


@pytest.fixture
async def breaker(address: str, clock: FakeClock) -> Any:
    cb = wrap(address, clock)
    yield await cb.connect()
    await cb.close()


def flaky_of(breaker: StreamCircuitBreaker) -> FlakyManager:
    flaky = breaker.stream_manager
    assert isinstance(flaky, FlakyManager)
    return flaky


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
    flaky = flaky_of(breaker)
    assert flaky.connected == 1
    assert breaker.address == flaky.address
    await breaker.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    assert await write(breaker, 1) == 1
    assert await write_batch(breaker, 2, 3) == 2
    write_4 = StreamWrite(STREAM, "AUTO", {}, {}, Compression.NONE, Serialization.JSON_UTF8)
    assert await breaker.publish(write_4, [Plain(value=4)]) == 1
    result = await read(breaker)
    assert [e.payload.value for e in result if isinstance(e, StreamEvent)] == [1, 2, 3, 4]
    assert isinstance(result[0], StreamEvent)
    assert await breaker.ack_read_stream(stream_name=STREAM, consumer_group=GROUP, stream_event=result[0]) == 1
    assert len(breaker.pending(STREAM, GROUP)) == 3  # forwarded to MemoryStreamManager.pending
    assert breaker.consumer_id == flaky.consumer_id
    assert state(breaker.reads) == state(breaker.writes) == (CLOSED, 0, 0.0)


async def test_write_failures_open_the_circuit_and_fail_fast(breaker: StreamCircuitBreaker, clock: FakeClock) -> None:
    """A failed write backs off: further writes fail fast without reaching the backend until backoff passes."""
    flaky = flaky_of(breaker)
    flaky.down = True
    with pytest.raises(StreamOSError, match="Connection refused"):
        await write(breaker)
    assert state(breaker.writes) == (SEMI_OPEN, 1, BACKOFF)
    calls = flaky.calls
    with pytest.raises(StreamOSError, match=r"Stream circuit breaker open: writes refused for 1\.0s more"):
        await write(breaker)
    clock.advance(BACKOFF / 4)  # less than a probe interval (0.5 s) after the failure: no probe yet
    with pytest.raises(StreamOSError, match="Stream circuit breaker open"):
        await write_batch(breaker, 1)
    assert flaky.calls == calls
    clock.advance(BACKOFF)
    with pytest.raises(StreamOSError, match="Connection refused"):
        await write_batch(breaker, 1)
    assert state(breaker.writes) == (OPEN, 2, BACKOFF)
    for expected in (2 * BACKOFF, 4 * BACKOFF, 4 * BACKOFF):  # doubles while open, up to max
        clock.advance(breaker.writes.backoff)
        with pytest.raises(StreamOSError, match="Connection refused"):
            await write(breaker)
        assert state(breaker.writes) == (OPEN, 2, expected)
    flaky.down = False
    clock.advance(breaker.writes.backoff)
    assert await write(breaker) == 1
    assert state(breaker.writes) == (SEMI_OPEN, 1, BACKOFF)
    assert await write_batch(breaker, 1, 2) == 2
    assert state(breaker.writes) == (CLOSED, 0, 0.0)
    assert state(breaker.reads) == (CLOSED, 0, 0.0)


async def test_read_failures_come_back_as_items_and_wait_backoff(
    breaker: StreamCircuitBreaker, clock: FakeClock
) -> None:
    """A failed read returns [error]; the next read waits for the backoff; writes are not blocked."""
    await breaker.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    flaky = flaky_of(breaker)
    flaky.down = True
    [error] = await read(breaker)
    assert isinstance(error, StreamOSError)
    assert state(breaker.reads) == (SEMI_OPEN, 1, BACKOFF)
    flaky.down = False
    assert await write(breaker, 5) == 1  # separate circuit: no fail-fast for writes
    start = clock.now()
    result = await read(breaker)
    assert clock.now() - start >= 0.5  # waited (fake time) for the first probe at least
    assert [e.payload.value for e in result if isinstance(e, StreamEvent)] == [5]
    assert state(breaker.reads) == (CLOSED, 0, 0.0)


async def test_ensure_and_ack_errors_are_counted_and_raised(
    breaker: StreamCircuitBreaker, clock: FakeClock, caplog: Any
) -> None:
    """ensure_consumer_group and ack re-raise backend errors: a message whose ack failed stays pending,
    and the caller (the read loop) knows it failed."""
    await breaker.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    await write(breaker, 1)
    [event] = await read(breaker)
    assert isinstance(event, StreamEvent)
    flaky = flaky_of(breaker)
    flaky.down = True
    with pytest.raises(StreamOSError):
        await breaker.ensure_consumer_group(stream_name=STREAM, consumer_group="g2")
    with caplog.at_level(logging.WARNING, logger="hopeit.streams"), pytest.raises(StreamOSError):
        await breaker.ack_read_stream(stream_name=STREAM, consumer_group=GROUP, stream_event=event)
    assert "Stream read failed" in caplog.text  # the ensure failure; the ack went as a probe, and failed
    assert state(breaker.reads) == (SEMI_OPEN, 1, BACKOFF)
    assert len(breaker.pending(STREAM, GROUP)) == 1
    flaky.down = False
    await breaker.ensure_consumer_group(stream_name=STREAM, consumer_group="g2")
    assert await breaker.ack_read_stream(stream_name=STREAM, consumer_group=GROUP, stream_event=event) == 1
    assert state(breaker.reads) == (CLOSED, 0, 0.0)


async def test_batch_ack_errors_are_counted_and_raised(breaker: StreamCircuitBreaker) -> None:
    """ack_read_stream_batch goes through the read circuit: a backend error backs off and reaches the caller."""
    await breaker.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    await write_batch(breaker, 1, 2)
    items = [e for e in await read(breaker) if isinstance(e, StreamEvent)]
    flaky = flaky_of(breaker)
    flaky.down = True
    with pytest.raises(StreamOSError, match="Connection refused"):
        await breaker.ack_read_stream_batch(stream_name=STREAM, consumer_group=GROUP, stream_events=items)
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
    manager.probe_interval_seconds = 0.25  # a backend's own probe interval reaches the breaker
    cb = StreamCircuitBreaker.from_config(manager)
    defaults = StreamsConfig()
    assert cb.reads.policy.initial_backoff == defaults.initial_backoff_seconds
    assert cb.writes.policy.max_backoff == defaults.max_backoff_seconds
    assert cb.writes.policy.open_after == max(2, defaults.num_failures_open_circuit_breaker)
    assert cb.reads.policy.probe_interval == cb.writes.policy.probe_interval == 0.25
    direct = StreamCircuitBreaker(stream_manager=manager)
    assert direct.config is manager.config
    with pytest.raises(AttributeError):
        _ = direct.no_such_attribute
    with pytest.raises(AttributeError):  # before __init__ sets it, no recursion through __getattr__
        _ = StreamCircuitBreaker.__new__(StreamCircuitBreaker).stream_manager


@pytest.fixture
async def long_backoff(address: str, clock: FakeClock) -> Any:
    """A breaker whose backoff (30 s) outlasts what the test does: only probes (every 0.5 s) can close it."""
    cb = wrap(address, clock, initial=30, maximum=60, open_after=1)
    yield await cb.connect()
    await cb.close()


async def test_a_probe_closes_the_write_circuit_soon_after_the_backend_answers(
    long_backoff: StreamCircuitBreaker, clock: FakeClock
) -> None:
    """While backing off, one write per probe interval goes through: once the backend answers, writes work
    again long before the backoff ends; failed probes neither extend the backoff nor flood the backend."""
    flaky = flaky_of(long_backoff)
    flaky.down = True
    with pytest.raises(StreamOSError, match="Connection refused"):
        await write(long_backoff)
    blocked_until = long_backoff.writes.blocked_until
    calls = flaky.calls
    refused = 0
    for _ in range(30):  # 3 s of writes every 0.1 s: a probe reaches the backend every 0.5 s
        clock.advance(0.1)
        with pytest.raises(StreamOSError) as caught:
            await write(long_backoff)
        refused += "circuit breaker open" in str(caught.value)
    assert 5 <= flaky.calls - calls <= 7 and refused >= 23
    assert long_backoff.writes.blocked_until == blocked_until and long_backoff.writes.backoff == 30
    flaky.down = False
    with pytest.raises(StreamOSError, match="circuit breaker open"):
        await write(long_backoff)  # the next probe is not due yet
    clock.advance(0.5)
    assert await write(long_backoff) == 1  # the probe, 0.5 s later: the backend works again
    assert state(long_backoff.writes) == (CLOSED, 0, 0.0) and long_backoff.writes.remaining() == 0
    assert clock.now() < blocked_until


async def test_a_probe_ends_the_read_backoff(long_backoff: StreamCircuitBreaker, clock: FakeClock) -> None:
    """A read waiting out a long backoff goes as a probe; a failed probe reads [] (no error flood); a good one reads."""
    await long_backoff.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    flaky = flaky_of(long_backoff)
    flaky.down = True
    [error] = await read(long_backoff)
    assert isinstance(error, StreamOSError)
    assert await read(long_backoff) == []  # a probe, still failing: quiet
    assert clock.slept == pytest.approx(0.5)  # it waited for the probe's turn, not for the 30 s backoff
    flaky.down = False
    assert await write(long_backoff, 3) == 1
    result = await read(long_backoff)
    assert [e.payload.value for e in result if isinstance(e, StreamEvent)] == [3]
    assert long_backoff.reads.remaining() == 0 and clock.slept == pytest.approx(1.0)


async def test_busy_backend_is_not_a_failure(breaker: StreamCircuitBreaker) -> None:
    """StreamBusyError (every connection in use) reaches the caller but never opens the circuit."""
    flaky = flaky_of(breaker)
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


async def test_a_password_in_the_address_is_never_shown(clock: FakeClock) -> None:
    """The fail-fast message names the backend without the password of its connection string."""
    address = "redis://app:s3cret@redis.internal:6379/0"
    cb = wrap(address, clock)
    flaky_of(cb).down = True
    try:
        with pytest.raises(StreamOSError):
            await write(cb)
        with pytest.raises(StreamOSError, match="circuit breaker open") as caught:
            await write(cb)
        assert "'redis://app:***@redis.internal:6379/0'" in str(caught.value) and "s3cret" not in str(caught.value)
    finally:
        MemoryStreamManager.clear(address)
