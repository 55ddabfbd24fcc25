"""hopeit.testing.waiting: wait for a condition instead of sleeping a guessed time."""

import asyncio
from typing import Dict, List, Optional

import pytest
from hopeit.testing.waiting import wait_until


async def test_returns_at_once_when_the_condition_already_holds() -> None:
    calls: List[int] = []

    def ready() -> str:
        calls.append(1)
        return "ready"

    assert await wait_until(ready) == "ready"
    assert calls == [1]


async def test_waits_for_something_the_loop_does_and_returns_the_true_value() -> None:
    """The condition is checked again while other tasks run; the first true value comes back."""
    state: Dict[str, int] = {"ticks": 0}

    async def tick() -> None:
        for _ in range(3):
            await asyncio.sleep(0)
            state["ticks"] += 1

    task = asyncio.ensure_future(tick())
    assert await wait_until(lambda: state["ticks"] >= 3 and state["ticks"]) == 3
    await task


async def test_awaits_a_coroutine_condition() -> None:
    answers = iter([None, None, {"status": "up"}])

    async def status() -> Optional[Dict[str, str]]:
        return next(answers)

    assert await wait_until(status, interval=0) == {"status": "up"}


async def test_fails_after_the_deadline_naming_the_condition_and_its_last_value() -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    done: List[str] = []
    with pytest.raises(AssertionError, match=r"a message done did not hold within 0\.05 s \(last value: \[\]\)"):
        await wait_until(lambda: done, timeout=0.05, what="a message done")
    assert 0.05 <= loop.time() - started < 1.0


async def test_default_name_is_the_function_name() -> None:
    def never() -> bool:
        return False

    with pytest.raises(AssertionError, match=r"never did not hold within 0\.01 s \(last value: False\)"):
        await wait_until(never, timeout=0.01)
