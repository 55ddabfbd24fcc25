"""The one circuit breaker (``hopeit.streams.circuit``): states, backoff, probes, on an injected clock."""

from hopeit.streams.circuit import CLOSED, OPEN, SEMI_OPEN, BreakerPolicy, CircuitBreaker

from .fake_clock import FakeClock

#: what the stream breaker uses: hold from the first failure, double while open, step back on success
STREAM_LIKE = BreakerPolicy(open_after=2, initial_backoff=1.0, max_backoff=4.0, probe_interval=0.5)
#: what apps-client's hosts use: skip a host only once open, fixed hold, failures expire, one success closes
HOST_LIKE = BreakerPolicy(
    open_after=3, initial_backoff=10.0, max_backoff=10.0, hold_when_failing=False, failure_window=5.0,
    close_on_success=True, probe_interval=None,
)


def state(breaker: CircuitBreaker) -> object:
    return breaker.state, breaker.num_failures, breaker.backoff


async def test_closed_costs_no_clock_read() -> None:
    """A closed circuit answers without reading the clock (it is asked on every call)."""

    def no_clock() -> float:
        raise AssertionError("clock read")

    breaker = CircuitBreaker("c", clock=no_clock)
    assert breaker.remaining() == 0.0 and not breaker.held()
    breaker.success()
    assert await breaker.admit() is False


def test_failures_hold_open_and_double_up_to_the_maximum() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("s", policy=STREAM_LIKE, clock=clock.now)
    assert not breaker.failure()
    assert state(breaker) == (SEMI_OPEN, 1, 1.0) and breaker.remaining() == 1.0
    clock.advance(1.0)
    assert not breaker.held()
    assert breaker.failure()
    assert state(breaker) == (OPEN, 2, 1.0)
    for expected in (2.0, 4.0, 4.0):
        assert breaker.failure()
        assert state(breaker) == (OPEN, 2, expected) and breaker.remaining() == expected


def test_success_steps_back_one_state() -> None:
    breaker = CircuitBreaker("s", policy=STREAM_LIKE, clock=FakeClock().now)
    breaker.failure()
    breaker.failure()
    breaker.success()
    assert state(breaker) == (SEMI_OPEN, 1, 1.0) and not breaker.held()
    breaker.failure()  # semi-open again at once: a second failure in a row opens
    assert state(breaker) == (OPEN, 2, 1.0)
    breaker.success()
    breaker.success()
    assert state(breaker) == (CLOSED, 0, 0.0)


def test_without_hold_when_failing_calls_go_on_until_open() -> None:
    clock = FakeClock(100.0)
    breaker = CircuitBreaker("h", policy=HOST_LIKE, clock=clock.now)
    assert not breaker.failure() and not breaker.failure()
    assert breaker.state == SEMI_OPEN and not breaker.held()
    assert breaker.failure()
    assert breaker.blocked_until == 110.0 and breaker.held(109.9) and not breaker.held(110.0)


def test_failures_far_apart_start_the_count_again() -> None:
    breaker = CircuitBreaker("h", policy=HOST_LIKE)
    breaker.failure(now=100.0)
    breaker.failure(now=104.0)
    assert not breaker.failure(now=109.0)  # 5 s after the last one: counting starts again
    assert breaker.num_failures == 1
    breaker.failure(now=110.0)
    assert breaker.failure(now=111.0) and breaker.state == OPEN


def test_open_with_a_fixed_hold_fails_again_at_once_and_closes_on_one_success() -> None:
    breaker = CircuitBreaker("h", policy=HOST_LIKE)
    for now in (100.0, 101.0, 102.0):
        breaker.failure(now=now)
    assert breaker.blocked_until == 112.0
    assert breaker.failure(now=120.0)  # after the hold (half-open): one failure opens it again
    assert breaker.blocked_until == 130.0 and breaker.backoff == 10.0 and breaker.num_failures == 3
    breaker.success()
    assert state(breaker) == (CLOSED, 0, 0.0) and breaker.blocked_until == 0.0


def test_open_after_zero_disables_the_breaker() -> None:
    breaker = CircuitBreaker("off", policy=BreakerPolicy(open_after=0))
    assert not any(breaker.failure(now=float(n)) for n in range(10))
    assert state(breaker) == (CLOSED, 0, 0.0) and not breaker.held(5.0)


def test_probes_one_per_interval_and_never_without_an_interval() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("s", policy=BreakerPolicy(initial_backoff=30.0, probe_interval=0.5), clock=clock.now)
    breaker.failure()
    assert not breaker.start_probe()  # the first probe is due an interval after the failure
    clock.advance(0.5)
    assert breaker.start_probe()
    assert not breaker.start_probe()  # one in flight
    breaker.probe_failed()
    assert not breaker.start_probe()
    clock.advance(0.5)
    assert breaker.start_probe()
    breaker.end_probe()
    assert breaker.held() and breaker.remaining() == 29.0  # probes neither extend nor end the hold
    never = CircuitBreaker("h", policy=HOST_LIKE, clock=clock.now)
    for _ in range(3):
        never.failure()
    clock.advance(5.0)
    assert never.held() and not never.start_probe()


async def test_admit_waits_for_a_probe_or_the_end_of_the_hold() -> None:
    clock = FakeClock()
    probing = CircuitBreaker("s", policy=BreakerPolicy(initial_backoff=30.0), clock=clock.now, sleep=clock.sleep)
    probing.failure()
    assert await probing.admit() is True and clock.slept == 0.5
    plain = CircuitBreaker("h", policy=HOST_LIKE, clock=clock.now, sleep=clock.sleep)
    for _ in range(3):
        plain.failure()
    assert await plain.admit() is False and clock.slept == 10.5
