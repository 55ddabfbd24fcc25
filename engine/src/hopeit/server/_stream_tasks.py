"""Tasks of the messages of a batch whose steps wait (see ``hopeit.server.stream_loop``)."""

import asyncio
import sys
from typing import Any, List

__all__ = ["all_done", "cancel_tasks", "new_task"]

if sys.version_info >= (3, 12):

    def new_task(coroutine: Any) -> "asyncio.Task[Any]":
        """A task running ``coroutine``, begun at once: done already when nothing in it waited."""
        return asyncio.Task(coroutine, loop=asyncio.get_running_loop(), eager_start=True)  # type: ignore[call-arg,unused-ignore]

else:  # pragma: no cover - exercised on 3.8 to 3.11

    def new_task(coroutine: Any) -> "asyncio.Task[Any]":
        """A task running ``coroutine`` (from the loop's next turn: eager tasks came with Python 3.12)."""
        return asyncio.get_running_loop().create_task(coroutine)


async def all_done(tasks: List["asyncio.Task[Any]"]) -> None:
    """Wait until every task is done, whatever each ends with.

    One task at a time: tasks of a batch mostly end in the same turn of the loop, so usually only
    the first wait suspends, and the others need no callback of their own (``asyncio.wait`` on them
    all would add one to every task).
    """
    for task in tasks:
        if not task.done():
            await asyncio.wait((task,))


async def cancel_tasks(tasks: List["asyncio.Task[Any]"]) -> None:
    """Cancel the tasks not done yet and wait until they end (a step may clean up when cancelled)."""
    left = [task for task in tasks if not task.done()]
    for task in left:
        task.cancel()
    if left:
        await asyncio.wait(left)
