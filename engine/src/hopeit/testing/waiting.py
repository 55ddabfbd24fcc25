"""Wait in async tests for a condition to hold, instead of sleeping for a guessed time.

::

    from hopeit.testing.waiting import wait_until

    async def test_service_starts():
        task = asyncio.ensure_future(engine.service_loop(event_name="my_service", wait_start=False))
        await wait_until(lambda: engine.is_running("my_service"))
        ...

A sleep of a guessed length before an assertion is too short on a busy machine (the test fails
now and then) and longer than needed everywhere else (the suite gets slow). ``wait_until`` checks
the condition every few milliseconds and returns as soon as it holds; its deadline only bounds how
long a failing test takes, so make it generous.
"""

import asyncio
import inspect
from typing import Any, Awaitable, Callable, Optional, TypeVar, overload

__all__ = ["wait_until"]

T = TypeVar("T")


# the value returned is true, so never None: ``Optional[T]`` conditions give a ``T``
@overload
async def wait_until(
    condition: Callable[[], Awaitable[Optional[T]]],
    *,
    timeout: float = ...,
    interval: float = ...,
    what: Optional[str] = ...,
) -> T: ...


@overload
async def wait_until(
    condition: Callable[[], Optional[T]], *, timeout: float = ..., interval: float = ..., what: Optional[str] = ...
) -> T: ...


async def wait_until(
    condition: Callable[[], Any],
    *,
    timeout: float = 5.0,
    interval: float = 0.005,
    what: Optional[str] = None,
) -> Any:
    """Call ``condition`` until it returns a true value, and return that value.

    ``condition`` is a plain function or a coroutine function (awaited on each call). It is called
    at once, then every ``interval`` seconds, by the clock of the running event loop.

    :param what: the condition in words, for the failure message (default: the function's name).
    :raises AssertionError: the condition was still false after ``timeout`` seconds; the message
        names the condition and its last value.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = condition()
        value = (await result) if inspect.isawaitable(result) else result
        if value:
            return value
        if loop.time() >= deadline:
            name = what or getattr(condition, "__qualname__", repr(condition))
            raise AssertionError(f"{name} did not hold within {timeout} s (last value: {value!r})")
        await asyncio.sleep(interval)
