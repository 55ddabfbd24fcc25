"""Round-robin over the hosts of a connection, with a circuit breaker per host.

Each host has the engine's circuit breaker (``hopeit.streams.circuit.CircuitBreaker``) with this
policy: it is *closed* while its host answers. After ``open_failures`` consecutive failures (each
within ``failure_reset_seconds`` of the previous one) it *opens*: the host is skipped for
``open_seconds``. Then it is *half-open*: the host is tried again, and one failure opens the breaker
again at once while one success closes it. Methods take the current time (epoch seconds), so tests
drive them.
"""

import random
from dataclasses import dataclass, field
from functools import lru_cache
from typing import List, Optional, Tuple

from hopeit.streams.circuit import BreakerPolicy, CircuitBreaker

__all__ = ["CircuitBreakLoadBalancer"]


@lru_cache(maxsize=32)
def _host_policy(open_failures: int, failure_reset_seconds: float, open_seconds: float) -> BreakerPolicy:
    """The breaker policy of a host for the connection's settings (one object per distinct settings)."""
    return BreakerPolicy(
        open_after=open_failures,
        initial_backoff=open_seconds,
        max_backoff=open_seconds,  # a fixed hold: the host is skipped open_seconds each time it opens
        hold_when_failing=False,  # a host is used until its breaker opens
        failure_window=failure_reset_seconds,
        close_on_success=True,
        probe_interval=None,  # once the hold is over every call may try the host: half-open
    )


@dataclass
class CircuitBreakLoadBalancer:
    """Hosts of one connection, the next one to use, and the breaker of each.

    ``cb_failures[i]`` counts consecutive failures of host ``i``; ``cb_reset_ttl[i]`` is when that
    count expires; ``cb_open_ttl[i]`` is until when the breaker stays open (0 when closed). Times are
    epoch seconds. ``breakers[i]`` is the breaker itself.
    """

    hosts: List[str]
    host_index: int = 0
    breakers: List[CircuitBreaker] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.hosts:
            raise ValueError("CircuitBreakLoadBalancer needs at least one host")
        self.breakers = self.breakers or [CircuitBreaker(host) for host in self.hosts]
        self.host_index %= len(self.hosts)

    @property
    def cb_failures(self) -> List[int]:
        """Consecutive failures of each host."""
        return [breaker.num_failures for breaker in self.breakers]

    @property
    def cb_reset_ttl(self) -> List[float]:
        """When the failure count of each host expires (0 when it has none)."""
        return [
            breaker.last_failure + (breaker.policy.failure_window or 0.0) if breaker.num_failures else 0.0
            for breaker in self.breakers
        ]

    @property
    def cb_open_ttl(self) -> List[float]:
        """Until when the breaker of each host stays open (0 when closed)."""
        return [breaker.blocked_until for breaker in self.breakers]

    def host(self, index: int) -> str:
        """Base URL of host ``index``."""
        return self.hosts[index]

    def next_host(self, now_ts: float) -> Tuple[int, bool]:
        """``(index, available)`` of the next host in turn, and move the turn on.

        ``available`` is False while that host's breaker is open.
        """
        index = self.host_index
        self.host_index = (index + 1) % len(self.hosts)
        return index, not self.breakers[index].held(now_ts)

    def next_available_host(self, now_ts: float) -> Optional[int]:
        """Index of the next host whose breaker is not open, or None when every breaker is open.

        When none is available the turn moves to a random host, so clients that share a dead
        cluster do not all retry the same host first once breakers half-open.
        """
        for _ in range(len(self.hosts)):
            index, available = self.next_host(now_ts)
            if available:
                return index
        self.randomize_next_host()
        return None

    def randomize_next_host(self) -> None:
        """Make a random host the next one in turn."""
        self.host_index = random.randrange(len(self.hosts))  # balancing, not security: any RNG will do

    def is_open(self, index: int, now_ts: float) -> bool:
        """Whether host ``index`` is being skipped at ``now_ts``."""
        return self.breakers[index].held(now_ts)

    def success(self, index: int) -> None:
        """Host ``index`` answered: close its breaker and forget its failures."""
        self.breakers[index].success()

    def failure(
        self, index: int, now_ts: float, open_failures: int, failure_reset_seconds: float, open_seconds: float
    ) -> bool:
        """Record a failure of host ``index``; returns True when its breaker is open after it.

        ``open_failures == 0`` disables the breaker. A failure while half-open (the breaker was
        opened and no success closed it since) opens it again at once.
        """
        breaker = self.breakers[index]
        breaker.policy = _host_policy(open_failures, failure_reset_seconds, open_seconds)
        return breaker.failure(now=now_ts)
