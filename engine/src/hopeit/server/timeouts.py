"""Time limits on awaitables, without an extra task where the running Python allows it."""

import asyncio
import sys
from typing import Awaitable, TypeVar

__all__ = ["with_timeout"]

_T = TypeVar("_T")


async def with_timeout(awaitable: Awaitable[_T], seconds: float, message: str) -> _T:
    """Await ``awaitable`` in the current task for at most ``seconds``.

    :raises TimeoutError: with ``message`` when the time runs out.
    """
    if sys.version_info >= (3, 11):
        try:
            async with asyncio.timeout(seconds):
                return await awaitable
        except TimeoutError:
            raise TimeoutError(message) from None
    # Before 3.11, asyncio.wait_for runs a second task and can swallow a cancellation that arrives
    # as the awaitable finishes (a SIGTERM during start-up was lost). A timer cancelling this very
    # task costs less and keeps outside cancellations intact.
    task = asyncio.current_task()
    assert task is not None, "with_timeout must run inside a task"
    expired = []

    def expire() -> None:
        expired.append(True)
        task.cancel()  # type: ignore[union-attr]

    handle = asyncio.get_running_loop().call_later(seconds, expire)
    try:
        return await awaitable
    except asyncio.CancelledError:
        if expired:
            raise TimeoutError(message) from None
        raise
    finally:
        handle.cancel()
