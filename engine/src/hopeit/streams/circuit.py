"""The one circuit breaker of hopeit: stop calling a backend that fails, and notice when it is back.

A ``CircuitBreaker`` guards one way into one backend: the reads of a stream manager, its writes
(``hopeit.streams.StreamCircuitBreaker`` holds one of each), or one host of an app connection
(hopeit.apps-client's load balancer holds one per host). It has three states:

* ``CLOSED``: calls go through.
* ``SEMI_OPEN``: calls failed lately, fewer than ``open_after`` in a row. With ``hold_when_failing``
  each failure holds calls for ``initial_backoff`` seconds; without it they still go through.
* ``OPEN``: ``open_after`` failures in a row. Calls are held for the backoff, which starts at
  ``initial_backoff`` and doubles on every further failure, up to ``max_backoff``.

A success steps the state back by one (closed again after as many successes as it took to open),
or closes the circuit at once with ``close_on_success``; either way calls are no longer held.
Failures further apart than ``failure_window`` seconds start the count again. While calls are held,
one call every ``probe_interval`` seconds may go through as a probe: a probe that fails changes
nothing, one that succeeds counts as a success, so a backend that is back is used again within about
that interval rather than after the whole backoff.

The breaker only keeps state; it never calls the backend. Callers ask ``admit()`` (waits) or
``held()`` (does not), make the call, and report ``success()``, ``failure()``, ``probe_failed()``
or ``end_probe()``. Time is read from ``clock`` and waited with ``sleep``, both injectable, so tests
move time themselves; methods taking ``now`` use it instead of the clock.
"""

import asyncio
import time
from dataclasses import dataclass
from typing import Awaitable, Callable, Optional

__all__ = ["CLOSED", "OPEN", "SEMI_OPEN", "BreakerPolicy", "CircuitBreaker"]

#: States of a circuit (the numbers of hopeit.engine 0.24's stream circuit breaker).
CLOSED, SEMI_OPEN, OPEN = 0, 1, 2


@dataclass(frozen=True)
class BreakerPolicy:
    """How a breaker counts failures and how long it holds calls (see the module documentation)."""

    #: failures in a row that open the circuit; 0 or less disables the breaker (nothing is ever held)
    open_after: int = 1
    #: seconds calls are held once the circuit opens (and, with ``hold_when_failing``, after any failure)
    initial_backoff: float = 1.0
    #: the backoff doubles on every failure while open, up to this; equal to ``initial_backoff``: a fixed hold
    max_backoff: float = 60.0
    #: hold calls after a failure that has not opened the circuit yet
    hold_when_failing: bool = True
    #: failures further apart than this many seconds start the count again (None: failures never expire)
    failure_window: Optional[float] = None
    #: one success closes the circuit; otherwise a success steps it back by one state
    close_on_success: bool = False
    #: while calls are held, one call every this many seconds goes through as a probe (None: no probes)
    probe_interval: Optional[float] = 0.5


class CircuitBreaker:
    """State of one circuit: its ``state``, failures in a row, backoff, and until when calls are held."""

    __slots__ = (
        "backoff",
        "blocked_until",
        "clock",
        "last_failure",
        "name",
        "next_probe",
        "num_failures",
        "policy",
        "probing",
        "sleep",
        "state",
    )

    def __init__(
        self,
        name: str = "",
        *,
        policy: BreakerPolicy = BreakerPolicy(),
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.name = name
        self.policy = policy
        self.clock = clock
        self.sleep = sleep
        self.state = CLOSED
        self.num_failures = 0
        self.backoff = 0.0
        self.blocked_until = 0.0  # clock time until which calls are held (0: not held)
        self.last_failure = 0.0
        self.next_probe = 0.0  # clock time from which a held call may go through as a probe
        self.probing = False  # a probe is in flight: one at a time

    def remaining(self, now: Optional[float] = None) -> float:
        """Seconds calls are still held (0 when they may go through)."""
        if self.blocked_until == 0.0:  # the usual case: no clock read
            return 0.0
        return max(0.0, self.blocked_until - (self.clock() if now is None else now))

    def held(self, now: Optional[float] = None) -> bool:
        """True while calls are held (a probe may still go: see ``start_probe``)."""
        return self.remaining(now) > 0.0

    def start_probe(self, now: Optional[float] = None) -> bool:
        """While held: True when the caller's call may go through as a probe (the next one is due an interval later)."""
        interval = self.policy.probe_interval
        now = self.clock() if now is None else now
        if interval is None or self.probing or now < self.next_probe:
            return False
        self.probing = True
        self.next_probe = now + interval
        return True

    def probe_failed(self) -> None:
        """A probe found the backend still failing: keep holding calls as before."""
        self.probing = False

    def end_probe(self) -> None:
        """A probe ended without telling whether the backend works (e.g. every connection busy)."""
        self.probing = False

    async def admit(self) -> bool:
        """Wait until a call may go: False once calls are no longer held, True when it goes meanwhile as a probe."""
        if self.blocked_until == 0.0:
            return False
        while True:
            now = self.clock()
            remaining = self.blocked_until - now
            if remaining <= 0:
                return False
            if self.start_probe(now):
                return True
            interval = self.policy.probe_interval
            if interval is None:
                wait = remaining
            else:
                # another probe in flight (its next turn is past): look again in an interval
                until_probe = self.next_probe - now
                wait = min(remaining, until_probe if until_probe > 0 else interval)
            await self.sleep(wait)

    def failure(self, now: Optional[float] = None) -> bool:
        """Count a failure of the backend; True when the circuit is open after it."""
        policy = self.policy
        if policy.open_after <= 0:
            return False
        now = self.clock() if now is None else now
        self.probing = False
        if self.state == OPEN:
            self.backoff = min(policy.max_backoff, 2 * self.backoff)
        else:
            window = policy.failure_window
            if window is not None and self.num_failures and now >= self.last_failure + window:
                self.num_failures = 0  # the earlier failures are too old to count
            self.num_failures += 1
            self.backoff = policy.initial_backoff
            self.state = OPEN if self.num_failures >= policy.open_after else SEMI_OPEN
        self.last_failure = now
        if self.state == OPEN or policy.hold_when_failing:
            self.blocked_until = now + self.backoff
        if policy.probe_interval is not None:
            self.next_probe = now + policy.probe_interval
        return self.state == OPEN

    def success(self) -> None:
        """Count a call that went through: step back towards closed (or close), and stop holding calls."""
        if self.state == CLOSED:
            return
        self.probing = False
        if self.state == SEMI_OPEN or self.policy.close_on_success:
            self.state, self.num_failures, self.backoff = CLOSED, 0, 0.0
        else:
            self.state = SEMI_OPEN
            self.num_failures -= 1
            self.backoff = self.policy.initial_backoff
        self.blocked_until = 0.0  # the backend answered (a probe, or a call that outlived the backoff)

    def __repr__(self) -> str:
        return (
            f"CircuitBreaker({self.name!r}, state={self.state}, failures={self.num_failures}, "
            f"backoff={self.backoff}, blocked_until={self.blocked_until})"
        )
