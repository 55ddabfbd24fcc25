"""Back-off after connection failures, kept apart for reads and writes, and the probe that ends it.

Each direction has its own ``Backoff``, so a read loop waiting for Redis to come back never holds
up a write, and a write answers at once (with ``StreamOSError``) while writes are backing off
instead of hanging the request that made it. A ``RecoveryProbe`` ends both as soon as Redis
answers a PING again.
"""

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Optional, Sequence

__all__ = ["Backoff", "RecoveryProbe"]

logger = logging.getLogger("hopeit.redis_streams")


class Backoff:
    """Failure counter opening a back-off window that doubles up to a maximum.

    After ``failures_to_open`` consecutive failures the circuit opens for ``initial`` seconds; each
    further failure doubles the window (up to ``maximum``); one success closes it again.
    """

    __slots__ = ("_open_until", "backoff", "failures", "failures_to_open", "initial", "maximum")

    def __init__(self, *, initial: float, maximum: float, failures_to_open: int) -> None:
        self.initial = max(0.0, initial)
        self.maximum = max(self.initial, maximum)
        self.failures_to_open = max(1, failures_to_open)
        self.failures = 0
        self.backoff = 0.0
        self._open_until = 0.0

    @property
    def is_open(self) -> bool:
        """True while calls should not reach Redis."""
        return self.remaining() > 0

    def remaining(self) -> float:
        """Seconds left in the current back-off window (0 when closed)."""
        return max(0.0, self._open_until - time.monotonic())

    def failure(self) -> float:
        """Count a connection failure; returns the back-off now in force (seconds)."""
        self.failures += 1
        if self.failures >= self.failures_to_open:
            self.backoff = self.initial if self.backoff == 0 else min(self.maximum, self.backoff * 2)
            self._open_until = time.monotonic() + self.backoff
        return self.backoff

    def success(self) -> None:
        """Close the circuit: Redis answered."""
        self.failures = 0
        self.backoff = 0.0
        self._open_until = 0.0


class RecoveryProbe:
    """Ends the back-offs as soon as Redis answers again, instead of when their window passes.

    Back-off windows double up to ``max_backoff_seconds``: without a probe, writes stayed refused
    for up to that long after Redis was back. While any of ``backoffs`` is open, the probe PINGs
    Redis every ``interval`` seconds (its failures are silent); the first answer closes them all and
    wakes readers waiting out a window.
    """

    def __init__(
        self, *, ping: Callable[[], Awaitable[Any]], backoffs: Sequence[Backoff], interval: float, timeout: float
    ) -> None:
        self._ping = ping
        self._backoffs = list(backoffs)
        self.interval = interval
        self.timeout = timeout
        self._task: Optional[asyncio.Task[None]] = None
        self._recovered: Optional[asyncio.Future[None]] = None

    def start(self) -> None:
        """Probe from now on, unless a probe is already running (call after a back-off opened)."""
        if self._task is not None and not self._task.done():
            return
        loop = asyncio.get_running_loop()
        self._recovered = loop.create_future()
        self._task = loop.create_task(self._run())

    async def _run(self) -> None:
        while any(backoff.is_open for backoff in self._backoffs):
            await asyncio.sleep(self.interval)
            try:
                await asyncio.wait_for(self._ping(), self.timeout)
            except Exception as exc:  # noqa: BLE001 - still down: the calls themselves report it
                logger.debug("Redis recovery probe failed: %s: %s", type(exc).__name__, exc)
                continue
            logger.info("Redis answers again: back-off ended")
            for backoff in self._backoffs:
                backoff.success()
            break
        if self._recovered is not None and not self._recovered.done():
            self._recovered.set_result(None)

    async def wait(self, backoff: Backoff) -> None:
        """Sleep until ``backoff``'s window passes or the probe finds Redis answering, whichever comes first."""
        remaining = backoff.remaining()
        if remaining <= 0:
            return
        recovered = self._recovered
        if recovered is None or recovered.done():
            await asyncio.sleep(remaining)
        else:
            await asyncio.wait([recovered], timeout=remaining)

    async def close(self) -> None:
        """Stop probing."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
