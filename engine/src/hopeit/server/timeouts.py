"""Time limits on awaitables, without an extra task where the running Python allows it."""

import asyncio
import sys
from typing import Awaitable, TypeVar

__all__ = ["with_timeout"]

_T = TypeVar("_T")


async def with_timeout(awaitable: Awaitable[_T], seconds: float, message: str) -> _T:
    """Await ``awaitable`` for at most ``seconds``.

    :raises TimeoutError: with ``message`` when the time runs out.
    """
    try:
        if sys.version_info >= (3, 11):
            async with asyncio.timeout(seconds):
                return await awaitable
        return await asyncio.wait_for(awaitable, seconds)
    except asyncio.TimeoutError:
        raise TimeoutError(message) from None
