"""Round-robin over the hosts of a connection, with a circuit breaker per host.

A breaker is *closed* while its host answers. After ``open_failures`` consecutive failures (each
within ``failure_reset_seconds`` of the previous one) it *opens*: the host is skipped for
``open_seconds``. Then it is *half-open*: the host is tried again, and one failure opens the breaker
again at once while one success closes it. All the state lives in plain lists so it can be logged
and inspected; methods take the current time so tests can drive them.
"""

import random
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

__all__ = ["CircuitBreakLoadBalancer"]


@dataclass
class CircuitBreakLoadBalancer:
    """Hosts of one connection, the next one to use, and the breaker state of each.

    ``cb_failures[i]`` counts consecutive failures of host ``i``; ``cb_reset_ttl[i]`` is when that
    count expires; ``cb_open_ttl[i]`` is until when the breaker stays open (0 when closed).
    Times are epoch seconds.
    """

    hosts: List[str]
    host_index: int = 0
    cb_failures: List[int] = field(default_factory=list)
    cb_reset_ttl: List[float] = field(default_factory=list)
    cb_open_ttl: List[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.hosts:
            raise ValueError("CircuitBreakLoadBalancer needs at least one host")
        count = len(self.hosts)
        self.cb_failures = self.cb_failures or [0] * count
        self.cb_reset_ttl = self.cb_reset_ttl or [0.0] * count
        self.cb_open_ttl = self.cb_open_ttl or [0.0] * count
        self.host_index %= count

    def host(self, index: int) -> str:
        """Base URL of host ``index``."""
        return self.hosts[index]

    def next_host(self, now_ts: float) -> Tuple[int, bool]:
        """``(index, available)`` of the next host in turn, and move the turn on.

        ``available`` is False while that host's breaker is open.
        """
        index = self.host_index
        self.host_index = (index + 1) % len(self.hosts)
        return index, self.cb_open_ttl[index] < now_ts

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
        return self.cb_open_ttl[index] >= now_ts

    def success(self, index: int) -> None:
        """Host ``index`` answered: close its breaker and forget its failures."""
        self.cb_failures[index] = 0
        self.cb_reset_ttl[index] = 0.0
        self.cb_open_ttl[index] = 0.0

    def failure(
        self, index: int, now_ts: float, open_failures: int, failure_reset_seconds: float, open_seconds: float
    ) -> bool:
        """Record a failure of host ``index``; returns True when this failure opens its breaker.

        ``open_failures == 0`` disables the breaker. A failure while half-open (the breaker was
        opened and no success closed it since) opens it again at once.
        """
        if open_failures <= 0:
            return False
        half_open = self.cb_open_ttl[index] > 0.0
        if half_open or now_ts >= self.cb_reset_ttl[index]:
            count = open_failures if half_open else 0
        else:
            count = self.cb_failures[index]
        count = min(count + 1, open_failures)
        self.cb_failures[index] = count
        self.cb_reset_ttl[index] = now_ts + failure_reset_seconds
        if count >= open_failures:
            self.cb_open_ttl[index] = now_ts + open_seconds
            return True
        return False
