"""Back-off after connection failures, kept apart for reads and writes.

Each direction has its own ``Backoff``, so a read loop waiting for Redis to come back never holds
up a write, and a write answers at once (with ``StreamOSError``) while writes are backing off
instead of hanging the request that made it.
"""

import time

__all__ = ["Backoff"]


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
