"""Circuit breaker around a stream manager: back off while the stream backend is unreachable.

The engine wraps the configured manager::

    manager = StreamCircuitBreaker.from_config(await StreamManager.create(config).connect(), config)

A ``StreamOSError`` from the wrapped manager opens the circuit for a while. Reads and writes keep
separate circuits, so a stalled read never blocks writes and the other way around:

* states: 0 closed, 1 semi-open (after a first failure), 2 open (after
  ``num_failures_open_circuit_breaker`` failures in semi-open);
* after each failure calls wait ``backoff`` seconds: ``initial_backoff_seconds`` at first,
  doubled on every failure while open, up to ``max_backoff_seconds``; a success steps the state back
  by one (closed again after as many successes as it took to open) and ends the wait;
* while waiting, ``write_stream`` fails fast with ``StreamOSError("Stream circuit breaker open ...")``;
  ``read_stream``, ``ensure_consumer_group`` and the acknowledgements wait for the backoff to pass;
* probes: while waiting, one call every ``probe_interval_seconds`` (0.5 s) goes through anyway, so
  a backend that is back is used again within about that time, not after the whole backoff (up to
  ``max_backoff_seconds``). A probe that fails changes nothing (logged at debug level; a failed read
  probe returns ``[]``); one that succeeds counts as a success;
* errors: writes and ``ensure_consumer_group`` re-raise them, ``read_stream`` returns ``[error]``,
  ``ack_read_stream`` and ``ack_read_stream_batch`` log and return 0 (the messages stay pending and
  are delivered again). ``StreamBusyError`` (every connection busy, backend healthy) is re-raised
  without counting as a failure.
"""

from typing import Any, Awaitable, Callable, Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple, Union

from hopeit.app._server_models import StreamsConfig
from hopeit.app.config import Compression, Serialization
from hopeit.dataobjects import EventPayload
from hopeit.streams import StreamBusyError, StreamEvent, StreamManager, StreamOSError
from hopeit.streams._circuit_state import CLOSED, OPEN, SEMI_OPEN, CircuitState

__all__ = ["CLOSED", "OPEN", "SEMI_OPEN", "CircuitState", "StreamCircuitBreaker"]


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
    ) -> None:
        super().__init__(address=stream_manager.address, config=stream_manager.config)
        self.stream_manager = stream_manager
        settings: Dict[str, Any] = {
            "initial_backoff": initial_backoff_seconds,
            "max_backoff": max_backoff_seconds,
            "open_after": num_failures_open_circuit_breaker,
            "probe_interval": probe_interval_seconds,
        }
        self.reads = CircuitState("read", **settings)
        self.writes = CircuitState("write", **settings)

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
        )

    async def connect(self) -> "StreamCircuitBreaker":
        """Connect the wrapped manager (and use what its ``connect()`` returns)."""
        self.stream_manager = await self.stream_manager.connect()
        return self

    async def close(self) -> None:
        """Close the wrapped manager."""
        await self.stream_manager.close()

    def _admit_write(self) -> bool:
        """True when the write goes as a probe; raises ``StreamOSError`` while backing off between probes."""
        remaining = self.writes.remaining()
        if remaining <= 0:
            return False
        if self.writes.start_probe():
            return True
        raise StreamOSError(
            f"Stream circuit breaker open: writes refused for {remaining:.1f}s more after "
            f"{self.writes.num_failures} failure(s); check that the stream backend at '{self.address}' is reachable"
        )

    async def write_stream(
        self,
        *,
        stream_name: str,
        queue: str,
        payload: EventPayload,
        track_ids: Dict[str, str],
        auth_info: Dict[str, Any],
        compression: Compression,
        serialization: Serialization,
        target_max_len: int = 0,
    ) -> int:
        """Forward a write, or fail fast with ``StreamOSError`` while backing off."""
        probe = self._admit_write()
        return await self._count_write(
            probe,
            self.stream_manager.write_stream(
                stream_name=stream_name,
                queue=queue,
                payload=payload,
                track_ids=track_ids,
                auth_info=auth_info,
                compression=compression,
                serialization=serialization,
                target_max_len=target_max_len,
            )
        )

    async def write_stream_batch(
        self,
        *,
        stream_name: str,
        queue: str,
        payloads: List[EventPayload],
        track_ids: Dict[str, str],
        auth_info: Dict[str, Any],
        compression: Compression,
        serialization: Serialization,
        target_max_len: int = 0,
    ) -> int:
        """Forward a batch write, or fail fast with ``StreamOSError`` while backing off."""
        probe = self._admit_write()
        return await self._count_write(
            probe,
            self.stream_manager.write_stream_batch(
                stream_name=stream_name,
                queue=queue,
                payloads=payloads,
                track_ids=track_ids,
                auth_info=auth_info,
                compression=compression,
                serialization=serialization,
                target_max_len=target_max_len,
            )
        )

    async def _count_write(self, probe: bool, write: Awaitable[int]) -> int:
        """Await a forwarded write, recording its success or ``StreamOSError`` on the write circuit."""
        try:
            result = await write
        except StreamOSError as exc:
            self._failed(self.writes, probe, exc)
            raise
        except BaseException:
            if probe:
                self.writes.end_probe()
            raise
        self.writes.success()
        return result

    @staticmethod
    def _failed(circuit: CircuitState, probe: bool, error: Exception) -> None:
        """Count ``error`` on ``circuit``: a failure, a failed probe, or (busy, not failing) nothing."""
        if isinstance(error, StreamBusyError):
            if probe:
                circuit.end_probe()
        elif probe:
            circuit.probe_failed(error)
        else:
            circuit.failure(error)

    async def ensure_consumer_group(self, *, stream_name: str, consumer_group: str) -> None:
        """Wait out any read backoff (or go as a probe), then forward; errors are re-raised."""
        probe = await self.reads.admit()
        try:
            await self.stream_manager.ensure_consumer_group(stream_name=stream_name, consumer_group=consumer_group)
        except StreamOSError as exc:
            self._failed(self.reads, probe, exc)
            raise
        except BaseException:
            if probe:
                self.reads.end_probe()
            raise
        self.reads.success()

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
        try:
            result = await self.stream_manager.read_stream(
                stream_name=stream_name,
                consumer_group=consumer_group,
                datatypes=datatypes,
                track_headers=track_headers,
                offset=offset,
                batch_size=batch_size,
                timeout=timeout,
                batch_interval=batch_interval,
            )
        except StreamOSError as exc:
            self._failed(self.reads, probe, exc)
            return [] if probe else [exc]
        except BaseException:
            if probe:
                self.reads.end_probe()
            raise
        self.reads.success()
        return result

    async def ack_read_stream(self, *, stream_name: str, consumer_group: str, stream_event: StreamEvent) -> int:
        """Wait out any read backoff, then forward; a ``StreamOSError`` is logged and 0 returned."""
        return await self._forward_ack(
            lambda: self.stream_manager.ack_read_stream(
                stream_name=stream_name, consumer_group=consumer_group, stream_event=stream_event
            )
        )

    async def ack_read_stream_batch(
        self, *, stream_name: str, consumer_group: str, stream_events: List[StreamEvent]
    ) -> int:
        """Wait out any read backoff, then forward; a ``StreamOSError`` is logged and 0 returned."""
        return await self._forward_ack(
            lambda: self.stream_manager.ack_read_stream_batch(
                stream_name=stream_name, consumer_group=consumer_group, stream_events=stream_events
            )
        )

    async def _forward_ack(self, ack: Callable[[], Awaitable[int]]) -> int:
        probe = await self.reads.admit()
        try:
            result = await ack()
        except StreamOSError as exc:
            self._failed(self.reads, probe, exc)
            return 0
        except BaseException:
            if probe:
                self.reads.end_probe()
            raise
        self.reads.success()
        return result

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
