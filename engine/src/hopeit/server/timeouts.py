"""Time limits on the steps of an event, paid for only when a step actually waits.

``run_within`` runs a coroutine in the current task with no timer while it does not suspend, and
starts the timer at its first suspension, with the deadline counted from the start. A timer per
request (a ``TimerHandle`` pushed on the loop's heap, then cancelled) was most of what an
``async def`` step cost over a plain one.
"""

import asyncio
import random
import sys
from typing import Any, Awaitable, Coroutine, TypeVar

from hopeit.server.coroutines import Resumed, step_eagerly

__all__ = ["loop_start_delay", "run_within", "with_timeout"]

_T = TypeVar("_T")


async def run_within(coro: Coroutine[Any, Any, _T], seconds: float, label: str) -> _T:
    """Run ``coro`` in the current task for at most ``seconds``; no timer unless it suspends.

    :raises TimeoutError: ``<label> seconds=<seconds>`` when the time runs out.
    """
    deadline = asyncio.get_running_loop().time() + seconds
    outcome = step_eagerly(coro)
    if type(outcome) is not Resumed:
        return outcome  # type: ignore[no-any-return]
    return await _until(outcome, deadline, seconds, label)


async def with_timeout(awaitable: Awaitable[_T], seconds: float, label: str) -> _T:
    """Await ``awaitable`` in the current task for at most ``seconds``.

    :raises TimeoutError: ``<label> seconds=<seconds>`` when the time runs out.
    """
    return await _until(awaitable, asyncio.get_running_loop().time() + seconds, seconds, label)


async def _until(awaitable: Awaitable[_T], deadline: float, seconds: float, label: str) -> _T:
    """Await ``awaitable`` in the current task until the loop time ``deadline`` (``seconds`` from the start)."""
    if sys.version_info >= (3, 11):
        try:
            async with asyncio.timeout_at(deadline):
                return await awaitable
        except TimeoutError:
            raise TimeoutError(f"{label} seconds={seconds}") from None
    # Before 3.11, asyncio.wait_for runs a second task and can swallow a cancellation that arrives
    # as the awaitable finishes (a SIGTERM during start-up was lost). A timer cancelling this very
    # task costs less and keeps outside cancellations intact.
    task = asyncio.current_task()
    assert task is not None, "with_timeout must run inside a task"
    expired = []

    def expire() -> None:
        expired.append(True)
        task.cancel()  # type: ignore[union-attr]

    handle = asyncio.get_running_loop().call_at(deadline, expire)
    try:
        return await awaitable
    except asyncio.CancelledError:
        if expired:
            raise TimeoutError(f"{label} seconds={seconds}") from None
        raise
    finally:
        handle.cancel()


def loop_start_delay(seconds: int) -> float:
    """Seconds a read or service loop waits before it starts, spread around ``seconds``.

    Many processes starting together then do not hit the stream backend at once.
    """
    return max(0.0, int(seconds / 2) + random.uniform(0, seconds) - random.uniform(0, seconds / 2))
