import pytest
from hopeit.apps_client import CircuitBreakLoadBalancer

HOSTS = ["http://h0", "http://h1", "http://h2"]


def test_round_robin() -> None:
    balancer = CircuitBreakLoadBalancer(hosts=list(HOSTS))
    picked = [balancer.next_host(now_ts=100.0) for _ in range(4)]
    assert picked == [(0, True), (1, True), (2, True), (0, True)]
    assert balancer.host(2) == "http://h2"


def test_needs_hosts() -> None:
    with pytest.raises(ValueError, match="at least one host"):
        CircuitBreakLoadBalancer(hosts=[])


def test_opens_after_consecutive_failures_and_skips_host() -> None:
    balancer = CircuitBreakLoadBalancer(hosts=list(HOSTS))
    assert not balancer.failure(1, 100.0, 3, 120, 60)
    assert not balancer.failure(1, 101.0, 3, 120, 60)
    assert balancer.failure(1, 102.0, 3, 120, 60)
    assert balancer.cb_failures[1] == 3
    assert balancer.cb_open_ttl[1] == 162.0
    assert balancer.is_open(1, 150.0)
    assert [balancer.next_available_host(150.0) for _ in range(4)] == [0, 2, 0, 2]


def test_failures_far_apart_start_counting_again() -> None:
    balancer = CircuitBreakLoadBalancer(hosts=list(HOSTS))
    balancer.failure(0, 100.0, 2, 10, 60)
    assert not balancer.failure(0, 111.0, 2, 10, 60)  # the first failure expired at 110
    assert balancer.cb_failures[0] == 1
    assert balancer.failure(0, 115.0, 2, 10, 60)


def test_half_open_then_closed_by_success() -> None:
    balancer = CircuitBreakLoadBalancer(hosts=list(HOSTS[:1]))
    balancer.failure(0, 100.0, 1, 5, 10)
    assert balancer.next_available_host(105.0) is None
    assert balancer.next_available_host(111.0) == 0  # half-open: one trial
    balancer.success(0)
    assert (balancer.cb_failures[0], balancer.cb_reset_ttl[0], balancer.cb_open_ttl[0]) == (0, 0.0, 0.0)
    assert not balancer.failure(0, 112.0, 2, 5, 10)  # closed: counts from zero again


def test_half_open_failure_opens_again_at_once() -> None:
    balancer = CircuitBreakLoadBalancer(hosts=list(HOSTS[:1]))
    for now in (100.0, 101.0, 102.0):
        balancer.failure(0, now, 3, 5, 10)
    # open until 112; the failure count would have expired at 107
    assert balancer.failure(0, 120.0, 3, 5, 10)
    assert balancer.cb_open_ttl[0] == 130.0


def test_zero_failures_disables_the_breaker() -> None:
    balancer = CircuitBreakLoadBalancer(hosts=list(HOSTS))
    for now in range(20):
        assert not balancer.failure(0, float(now), 0, 5, 10)
    assert balancer.next_available_host(20.0) == 0


def test_all_open_picks_a_random_next_host() -> None:
    balancer = CircuitBreakLoadBalancer(hosts=list(HOSTS))
    for index in range(3):
        balancer.failure(index, 100.0, 1, 5, 10)
    seen = set()
    for _ in range(50):
        assert balancer.next_available_host(101.0) is None
        seen.add(balancer.host_index)
    assert seen == {0, 1, 2}
