"""Circuit breaker around a stream manager: back off while the stream backend is unreachable.

The engine wraps the configured manager::

    manager = StreamCircuitBreaker.from_config(await StreamManager.create(config).connect(), config)

A ``StreamOSError`` from the wrapped manager opens the circuit for a while. Reads and writes keep
separate circuits, so a stalled read never blocks writes and the other way around:

* states: 0 closed, 1 semi-open (after a first failure), 2 open (after
  ``num_failures_open_circuit_breaker`` failures in semi-open);
* after each failure calls wait ``backoff`` seconds: ``initial_backoff_seconds`` at first,
  doubled on every failure while open, up to ``max_backoff_seconds``; a success steps the state back
  by one (closed again after as many successes as it took to open);
* while waiting, ``write_stream`` fails fast with ``StreamOSError("Stream circuit breaker open ...")``;
  ``read_stream``, ``ensure_consumer_group`` and the acknowledgements wait for the backoff to pass;
* errors: writes and ``ensure_consumer_group`` re-raise them, ``read_stream`` returns ``[error]``,
  ``ack_read_stream`` and ``ack_read_stream_batch`` log and return 0 (the messages stay pending and
  are delivered again).
"""

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Union

from hopeit.app._server_models import StreamsConfig
from hopeit.app.config import Compression, Serialization
from hopeit.dataobjects import EventPayload
from hopeit.streams import StreamEvent, StreamManager, StreamOSError

__all__ = ["CircuitState", "StreamCircuitBreaker"]

logger = logging.getLogger("hopeit.streams")

CLOSED, SEMI_OPEN, OPEN = 0, 1, 2


class CircuitState:
    """Health of one direction (reads or writes) of a stream manager."""

    __slots__ = (
        "backoff",
        "blocked_until",
        "initial_backoff",
        "max_backoff",
        "name",
        "num_failures",
        "open_after",
        "state",
    )

    def __init__(self, name: str, *, initial_backoff: float, max_backoff: float, open_after: int) -> None:
        self.name = name
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.open_after = open_after
        self.state = CLOSED
        self.num_failures = 0
        self.backoff = 0.0
        self.blocked_until = 0.0  # loop time until which calls back off

    def remaining(self) -> float:
        """Seconds of backoff left (0 when calls may go through)."""
        return max(0.0, self.blocked_until - asyncio.get_running_loop().time())

    async def wait(self) -> None:
        """Sleep through the backoff left, if any."""
        remaining = self.remaining()
        if remaining > 0:
            await asyncio.sleep(remaining)

    def failure(self, error: Exception) -> None:
        """Record a backend failure and start backing off."""
        if self.state == CLOSED:
            self.state, self.backoff = SEMI_OPEN, self.initial_backoff
            self.num_failures += 1
        elif self.state == SEMI_OPEN:
            self.num_failures += 1
            if self.num_failures >= self.open_after:
                self.state = OPEN
        else:
            self.backoff = min(self.max_backoff, 2 * self.backoff)
        self.blocked_until = asyncio.get_running_loop().time() + self.backoff
        logger.warning(
            "Stream %s failed (circuit state=%s failures=%s backoff=%ss): %s",
            self.name,
            self.state,
            self.num_failures,
            self.backoff,
            error,
        )

    def success(self) -> None:
        """Record a call that went through: step the state back towards closed."""
        if self.state == CLOSED:
            return
        self.state -= 1
        self.num_failures = 0 if self.state == CLOSED else self.num_failures - 1
        self.backoff = 0.0 if self.state == CLOSED else self.initial_backoff


class StreamCircuitBreaker(StreamManager):
    """A ``StreamManager`` that forwards to ``stream_manager`` and backs off when it fails."""

    def __init__(
        self,
        *,
        stream_manager: StreamManager,
        initial_backoff_seconds: float = 1.0,
        max_backoff_seconds: float = 60.0,
        num_failures_open_circuit_breaker: int = 1,
    ) -> None:
        super().__init__(address=stream_manager.address, config=stream_manager.config)
        self.stream_manager = stream_manager
        settings: Dict[str, Any] = {
            "initial_backoff": initial_backoff_seconds,
            "max_backoff": max_backoff_seconds,
            "open_after": num_failures_open_circuit_breaker,
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

    def _check_writes(self) -> None:
        remaining = self.writes.remaining()
        if remaining > 0:
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
        self._check_writes()
        return await self._count_write(
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
        self._check_writes()
        return await self._count_write(
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

    async def _count_write(self, write: Awaitable[int]) -> int:
        """Await a forwarded write, recording its success or ``StreamOSError`` on the write circuit."""
        try:
            result = await write
        except StreamOSError as exc:
            self.writes.failure(exc)
            raise
        self.writes.success()
        return result

    async def ensure_consumer_group(self, *, stream_name: str, consumer_group: str) -> None:
        """Wait out any read backoff, then forward; errors are re-raised."""
        await self.reads.wait()
        try:
            await self.stream_manager.ensure_consumer_group(stream_name=stream_name, consumer_group=consumer_group)
        except StreamOSError as exc:
            self.reads.failure(exc)
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
        """Wait out any read backoff, then forward; a ``StreamOSError`` comes back as ``[error]``."""
        await self.reads.wait()
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
            self.reads.failure(exc)
            return [exc]
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
        await self.reads.wait()
        try:
            result = await ack()
        except StreamOSError as exc:
            self.reads.failure(exc)
            return 0
        self.reads.success()
        return result

    def __getattr__(self, name: str) -> Any:
        # anything else (consumer_id, pending(), stream_length()...) is the wrapped manager's
        if name == "stream_manager":  # not set yet: during __init__
            raise AttributeError(name)
        return getattr(self.stream_manager, name)
