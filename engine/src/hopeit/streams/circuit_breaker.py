"""Circuit breaker around a stream manager: back off while the stream backend is unreachable.

The engine wraps the configured manager::

    manager = StreamCircuitBreaker.from_config(await StreamManager.create(config).connect(), config)

A ``StreamOSError`` from the wrapped manager counts as a failure of the backend. Reads (with
``ensure_consumer_group`` and the acknowledgements) and writes keep separate circuits
(``hopeit.streams.circuit.CircuitBreaker``), so a stalled read never blocks writes and the other way
around; this is the only back-off there is, stream managers keep none of their own:

* states: 0 closed, 1 semi-open (after a first failure), 2 open (after
  ``num_failures_open_circuit_breaker`` failures in a row, the second at the earliest);
* after each failure calls are held ``backoff`` seconds: ``initial_backoff_seconds`` at first,
  doubled on every failure while open, up to ``max_backoff_seconds``; a success steps the state back
  by one (closed again after as many successes as it took to open) and ends the hold;
* while held, ``write_stream`` fails fast with ``StreamOSError("Stream circuit breaker open ...")``;
  ``read_stream``/``read_streams``, ``ensure_consumer_group`` and the acknowledgements wait for the
  hold to pass;
* probes: while held, one call every ``probe_interval_seconds`` (the wrapped manager's
  ``probe_interval_seconds``, 0.5 s by default) goes through anyway, so a backend that is back is used
  again within about that time, not after the whole backoff (up to ``max_backoff_seconds``). A
  probe that fails changes nothing (logged at debug level; a failed read probe returns ``[]``); one
  that succeeds counts as a success;
* errors: writes, ``ensure_consumer_group`` and the acknowledgements re-raise them (a message whose
  acknowledgement failed stays pending: the read loop logs it FAILED, and the backend delivers it
  again); ``read_stream`` returns ``[error]`` (``read_streams``: ``[(first stream, error)]``).
  ``StreamBusyError`` (every connection busy, backend healthy) is re-raised without counting as a failure.
"""

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple, TypeVar, Union
from urllib.parse import urlsplit, urlunsplit

from hopeit.app.config import Serialization
from hopeit.contracts.streams import (
    StreamBusyError,
    StreamEvent,
    StreamGroupStats,
    StreamItem,
    StreamManager,
    StreamOSError,
    StreamsConfig,
    StreamWrite,
)
from hopeit.dataobjects import EventPayload
from hopeit.streams.circuit import CLOSED, OPEN, SEMI_OPEN, BreakerPolicy, CircuitBreaker

__all__ = ["CLOSED", "OPEN", "SEMI_OPEN", "StreamCircuitBreaker"]

logger = logging.getLogger("hopeit.streams")

_T = TypeVar("_T")

#: The contract's ``read_streams``: a manager that keeps it reads its streams one by one.
_DEFAULT_READ_STREAMS = StreamManager.read_streams


class StreamCircuitBreaker(StreamManager):
    """A ``StreamManager`` that forwards to ``stream_manager`` and backs off when it fails."""

    def __init__(
        self,
        *,
        stream_manager: StreamManager,
        initial_backoff_seconds: float = 1.0,
        max_backoff_seconds: float = 60.0,
        num_failures_open_circuit_breaker: int = 1,
        probe_interval_seconds: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        # getattr: a manager written for 0.24 may have no config (it did not call StreamManager.__init__)
        super().__init__(address=stream_manager.address, config=getattr(stream_manager, "config", None))
        self.stream_manager = stream_manager
        policy = BreakerPolicy(
            # as in 0.24: semi-open (holding calls) from the first failure, open at the N-th in a row
            # but never before the second
            open_after=max(2, num_failures_open_circuit_breaker),
            initial_backoff=initial_backoff_seconds,
            max_backoff=max_backoff_seconds,
            probe_interval=probe_interval_seconds,
        )
        self.reads = CircuitBreaker("read", policy=policy, clock=clock, sleep=sleep)
        self.writes = CircuitBreaker("write", policy=policy, clock=clock, sleep=sleep)

    @classmethod
    def from_config(
        cls, stream_manager: StreamManager, config: Optional[StreamsConfig] = None
    ) -> "StreamCircuitBreaker":
        """Wrap ``stream_manager`` with the backoff settings of ``config`` (default: the manager's own)."""
        config = config if config is not None else stream_manager.config
        return cls(
            stream_manager=stream_manager,
            initial_backoff_seconds=config.initial_backoff_seconds,
            max_backoff_seconds=config.max_backoff_seconds,
            num_failures_open_circuit_breaker=config.num_failures_open_circuit_breaker,
            probe_interval_seconds=stream_manager.probe_interval_seconds,
        )

    async def connect(self) -> "StreamCircuitBreaker":
        """Connect the wrapped manager (and use what its ``connect()`` returns)."""
        self.stream_manager = await self.stream_manager.connect()
        return self

    async def close(self) -> None:
        """Close the wrapped manager."""
        await self.stream_manager.close()

    async def ping(self) -> None:
        """Ask the wrapped manager's ``ping`` at once, even while calls are held: not counted by the circuits."""
        await self.stream_manager.ping()

    async def group_stats(self, *, stream_name: str, consumer_group: str) -> Optional[StreamGroupStats]:
        """Ask the wrapped manager's ``group_stats`` (for ``/metrics``): not counted by the circuits."""
        return await self.stream_manager.group_stats(stream_name=stream_name, consumer_group=consumer_group)

    def _admit_write(self) -> bool:
        """True when the write goes as a probe; raises ``StreamOSError`` while backing off between probes."""
        writes = self.writes
        remaining = writes.remaining()
        if remaining <= 0:
            return False
        if writes.start_probe():
            return True
        raise StreamOSError(
            f"Stream circuit breaker open: writes refused for {remaining:.1f}s more after {writes.num_failures} "
            f"failure(s); check that the stream backend at '{_shown(self.address)}' is reachable"
        )

    async def publish(self, write: StreamWrite, payloads: Sequence[EventPayload]) -> int:
        """Forward a write, or fail fast with ``StreamOSError`` while backing off."""
        probe = self._admit_write()
        return await self._counted(self.writes, probe, self.stream_manager.publish(write, payloads))

    async def _counted(self, circuit: CircuitBreaker, probe: bool, call: Awaitable[_T]) -> _T:
        """Await a forwarded call, counting its success or ``StreamOSError`` (re-raised) on ``circuit``."""
        try:
            result = await call
        except StreamOSError as exc:
            self._failed(circuit, probe, exc)
            raise
        except BaseException:
            if probe:
                circuit.end_probe()
            raise
        circuit.success()
        return result

    @staticmethod
    def _failed(circuit: CircuitBreaker, probe: bool, error: Exception) -> None:
        """Count ``error`` on ``circuit``: a failure, a failed probe, or (busy, not failing) nothing."""
        if isinstance(error, StreamBusyError):
            if probe:
                circuit.end_probe()
        elif probe:
            circuit.probe_failed()
            logger.debug("Stream %s probe failed (backoff %.1fs left): %s", circuit.name, circuit.remaining(), error)
        else:
            circuit.failure()
            logger.warning(
                "Stream %s failed (circuit state=%s failures=%s backoff=%ss): %s",
                circuit.name, circuit.state, circuit.num_failures, circuit.backoff, error,
            )

    async def ensure_consumer_group(self, *, stream_name: str, consumer_group: str) -> None:
        """Wait out any read backoff (or go as a probe), then forward; errors are re-raised."""
        probe = await self.reads.admit()
        await self._counted(
            self.reads, probe,
            self.stream_manager.ensure_consumer_group(stream_name=stream_name, consumer_group=consumer_group),
        )

    async def read_stream(
        self,
        *,
        stream_name: str,
        consumer_group: str,
        datatypes: Dict[str, type],
        track_headers: List[str],
        offset: str,
        batch_size: int,
        timeout: int,
        batch_interval: int,
    ) -> List[Union[StreamEvent, Exception]]:
        """Wait out any read backoff (or go as a probe), then forward; a ``StreamOSError`` comes back as ``[error]``.

        A probe that fails returns ``[]``: the outage was reported when the circuit opened.
        """
        probe = await self.reads.admit()
        reading = self.stream_manager.read_stream(
            stream_name=stream_name,
            consumer_group=consumer_group,
            datatypes=datatypes,
            track_headers=track_headers,
            offset=offset,
            batch_size=batch_size,
            timeout=timeout,
            batch_interval=batch_interval,
        )
        try:
            return await self._counted(self.reads, probe, reading)
        except StreamOSError as exc:  # counted: the read loop logs it as an item
            return [] if probe else [exc]

    async def read_streams(
        self,
        *,
        stream_names: List[str],
        consumer_group: str,
        datatypes: Dict[str, type],
        track_headers: List[str],
        offset: str,
        batch_size: int,
        timeout: int,
        batch_interval: int,
    ) -> List[StreamItem]:
        """Forward one read of several streams as ``read_stream`` does; a ``StreamOSError`` comes back as an item.

        That item carries the first stream's name (the read failed as a whole). A wrapped manager
        that does not implement ``read_streams`` (written for 0.24) gets the contract's default
        here instead, one ``read_stream`` per stream through this breaker: an error on one stream
        then comes back as that stream's item, beside what the others gave, as before.
        """
        options: Dict[str, Any] = dict(
            stream_names=stream_names, consumer_group=consumer_group, datatypes=datatypes,
            track_headers=track_headers, offset=offset, batch_size=batch_size, timeout=timeout,
            batch_interval=batch_interval,
        )
        manager = self.stream_manager
        if getattr(type(manager), "read_streams", _DEFAULT_READ_STREAMS) is _DEFAULT_READ_STREAMS:
            return await super().read_streams(**options)
        probe = await self.reads.admit()
        try:
            return await self._counted(self.reads, probe, manager.read_streams(**options))
        except StreamOSError as exc:  # counted: the read loop logs it as an item
            return [] if probe else [(stream_names[0], exc)]

    async def ack_read_stream(self, *, stream_name: str, consumer_group: str, stream_event: StreamEvent) -> int:
        """Wait out any read backoff, then forward; a ``StreamOSError`` is counted and re-raised."""
        probe = await self.reads.admit()
        return await self._counted(self.reads, probe, self.stream_manager.ack_read_stream(
            stream_name=stream_name, consumer_group=consumer_group, stream_event=stream_event
        ))

    async def ack_read_stream_batch(
        self, *, stream_name: str, consumer_group: str, stream_events: List[StreamEvent]
    ) -> int:
        """Wait out any read backoff, then forward; a ``StreamOSError`` is counted and re-raised.

        The error goes on to the read loop: the messages were not acknowledged, so they failed (and
        stay pending, to be delivered again).
        """
        probe = await self.reads.admit()
        return await self._counted(self.reads, probe, self.stream_manager.ack_read_stream_batch(
            stream_name=stream_name, consumer_group=consumer_group, stream_events=stream_events
        ))

    def allow_serializations(
        self, *, stream_name: str, consumer_group: str, serializations: Iterable[Serialization]
    ) -> None:
        """Forwarded: the wrapped manager decodes."""
        self.stream_manager.allow_serializations(
            stream_name=stream_name, consumer_group=consumer_group, serializations=serializations
        )

    def allowed_serializations(self, stream_name: str, consumer_group: str) -> FrozenSet[Serialization]:
        """The wrapped manager's."""
        return self.stream_manager.allowed_serializations(stream_name, consumer_group)

    async def record_failures(
        self, *, stream_name: str, consumer_group: str, failures: Sequence[Tuple[StreamEvent, BaseException]]
    ) -> None:
        """Forwarded as it is: it reports on messages, it is no call the circuit should count."""
        await self.stream_manager.record_failures(
            stream_name=stream_name, consumer_group=consumer_group, failures=failures
        )

    def __getattr__(self, name: str) -> Any:
        # anything else (consumer_id, pending(), stream_length()...) is the wrapped manager's
        if name == "stream_manager":  # not set yet: during __init__
            raise AttributeError(name)
        return getattr(self.stream_manager, name)


def _shown(address: str) -> str:
    """``address`` fit for error messages: a password in it (``redis://user:secret@host``) is masked."""
    parts = urlsplit(address)
    if parts.password is None:
        return address
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))
