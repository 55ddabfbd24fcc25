"""The state of one direction (reads or writes) of a stream circuit breaker: see ``hopeit.streams.circuit_breaker``."""

import asyncio
import logging

__all__ = ["CLOSED", "OPEN", "SEMI_OPEN", "CircuitState"]

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
        "next_probe",
        "num_failures",
        "open_after",
        "probe_interval",
        "probing",
        "state",
    )

    def __init__(
        self, name: str, *, initial_backoff: float, max_backoff: float, open_after: int, probe_interval: float = 0.5
    ) -> None:
        self.name = name
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.open_after = open_after
        self.probe_interval = probe_interval
        self.state = CLOSED
        self.num_failures = 0
        self.backoff = 0.0
        self.blocked_until = 0.0  # loop time until which calls back off
        self.next_probe = 0.0  # loop time from which a call may go through as a probe while backing off
        self.probing = False  # a probe is in flight: one at a time

    def remaining(self) -> float:
        """Seconds of backoff left (0 when calls may go through)."""
        return max(0.0, self.blocked_until - asyncio.get_running_loop().time())

    def start_probe(self) -> bool:
        """While backing off: True when the caller's call may go through as a probe (sets the next one)."""
        now = asyncio.get_running_loop().time()
        if self.probing or now < self.next_probe:
            return False
        self.probing = True
        self.next_probe = now + self.probe_interval
        return True

    def probe_failed(self, error: Exception) -> None:
        """A probe found the backend still failing: keep backing off as before."""
        self.probing = False
        logger.debug("Stream %s probe failed (backoff %.1fs left): %s", self.name, self.remaining(), error)

    def end_probe(self) -> None:
        """A probe ended without telling whether the backend works (e.g. all connections busy)."""
        self.probing = False

    async def admit(self) -> bool:
        """Wait until a call may go: False once no backoff is left, True when it goes as a probe meanwhile."""
        loop = asyncio.get_running_loop()
        while True:
            remaining = self.remaining()
            if remaining <= 0:
                return False
            if self.start_probe():
                return True
            until_probe = self.next_probe - loop.time()
            # another probe in flight (its next turn is past): look again in an interval
            await asyncio.sleep(min(remaining, until_probe if until_probe > 0 else self.probe_interval))

    def failure(self, error: Exception) -> None:
        """Record a backend failure and start backing off."""
        self.probing = False
        if self.state == CLOSED:
            self.state, self.backoff = SEMI_OPEN, self.initial_backoff
            self.num_failures += 1
        elif self.state == SEMI_OPEN:
            self.num_failures += 1
            if self.num_failures >= self.open_after:
                self.state = OPEN
        else:
            self.backoff = min(self.max_backoff, 2 * self.backoff)
        now = asyncio.get_running_loop().time()
        self.blocked_until = now + self.backoff
        self.next_probe = now + self.probe_interval
        logger.warning(
            "Stream %s failed (circuit state=%s failures=%s backoff=%ss): %s",
            self.name,
            self.state,
            self.num_failures,
            self.backoff,
            error,
        )

    def success(self) -> None:
        """Record a call that went through: step the state back towards closed, and stop backing off."""
        self.probing = False
        if self.state == CLOSED:
            return
        self.state -= 1
        self.num_failures = 0 if self.state == CLOSED else self.num_failures - 1
        self.backoff = 0.0 if self.state == CLOSED else self.initial_backoff
        self.blocked_until = 0.0  # the backend answered (a probe, or a call that outlived the backoff)
