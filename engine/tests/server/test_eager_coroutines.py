"""Coroutines run eagerly up to their first suspension, and time limits that start only when they suspend."""

import asyncio
import time
from typing import Any, List

import pytest
from hopeit.server.coroutines import Resumed, step_eagerly
from hopeit.server.timeouts import run_within, with_timeout


async def _ready(value: int) -> int:
    return value * 2


async def _pausing(value: int, trail: List[str]) -> int:
    trail.append("before")
    await asyncio.sleep(0)
    trail.append("after")
    return value + 1


async def test_a_coroutine_that_does_not_suspend_ends_in_the_call() -> None:
    assert step_eagerly(_ready(21)) == 42


async def test_a_coroutine_that_suspends_goes_on_when_awaited() -> None:
    trail: List[str] = []
    rest = step_eagerly(_pausing(1, trail))
    assert type(rest) is Resumed and trail == ["before"]
    assert await rest == 2 and trail == ["before", "after"]
    with pytest.raises(RuntimeError, match="awaited only once"):
        await rest


async def test_errors_come_out_before_and_after_the_suspension() -> None:
    async def fails_at_once() -> None:
        raise ValueError("at once")

    async def fails_later() -> None:
        await asyncio.sleep(0)
        raise KeyError("later")

    with pytest.raises(ValueError, match="at once"):
        step_eagerly(fails_at_once())
    rest = step_eagerly(fails_later())
    with pytest.raises(KeyError, match="later"):
        await rest


async def test_a_cancellation_reaches_the_resumed_coroutine() -> None:
    """The task's cancellation is thrown into the coroutine, which may clean up (or even go on)."""
    cleaned: List[str] = []
    started = asyncio.Event()

    async def waits() -> str:
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            cleaned.append("finally")
        return "never"

    async def runner() -> Any:
        return await step_eagerly(waits())

    task = asyncio.ensure_future(runner())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cleaned == ["finally"]


async def test_closing_a_resumed_coroutine_runs_its_cleanup() -> None:
    cleaned: List[str] = []

    async def waits() -> None:
        try:
            await asyncio.sleep(0)
        finally:
            cleaned.append("finally")

    rest = step_eagerly(waits())
    assert isinstance(rest, Resumed)
    rest.close()
    assert cleaned == ["finally"]


async def test_run_within_needs_no_time_for_a_coroutine_that_does_not_suspend() -> None:
    """No timer is set while nothing waits: even a zero time limit lets a ready coroutine finish."""
    assert await run_within(_ready(4), 0, "Response timeout exceeded") == 8
    with pytest.raises(TimeoutError, match=r"^Response timeout exceeded seconds=0$"):
        await run_within(asyncio.sleep(1), 0, "Response timeout exceeded")


async def test_run_within_counts_the_time_from_the_start() -> None:
    """A coroutine that computes past its limit before it first waits times out at that wait."""
    trail: List[str] = []

    async def busy_then_waits() -> str:
        end = time.monotonic() + 0.05
        while time.monotonic() < end:
            pass
        trail.append("waiting")
        await asyncio.sleep(0.5)
        trail.append("woke")
        return "done"

    with pytest.raises(TimeoutError, match=r"seconds=0\.01"):
        await run_within(busy_then_waits(), 0.01, "Stream processing timeout exceeded")
    assert trail == ["waiting"]


async def test_run_within_gives_the_result_of_a_coroutine_that_waits_in_time() -> None:
    trail: List[str] = []
    assert await run_within(_pausing(9, trail), 5, "Response timeout exceeded") == 10
    assert trail == ["before", "after"]


async def test_outside_cancellation_is_not_a_timeout() -> None:
    started = asyncio.Event()

    async def waits() -> None:
        started.set()
        await asyncio.Event().wait()

    for limit in (run_within(waits(), 30, "Response timeout exceeded"),):
        task = asyncio.ensure_future(limit)
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        started.clear()
    task = asyncio.ensure_future(with_timeout(waits(), 30, "Response timeout exceeded"))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
