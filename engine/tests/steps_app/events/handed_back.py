"""A plain ``def`` step that hands back a coroutine: POST, STREAM and SERVICE events run it.

The coroutine of a ``slow`` payload waits for an event nobody sets: only the event's time limit
(``response_timeout``, or ``stream.timeout`` for messages) can end it; that of a ``pause`` payload
suspends once, and the others not at all. A ``cancel`` payload cancels
the task running the step first, as a shutdown cancelling a read loop would.
"""

import asyncio
from typing import Any, Awaitable

from hopeit.app.context import EventContext
from hopeit.app.events import Spawn

from steps_app import LoopData, LoopResult

__steps__ = ["hand_back"]


async def __service__(context: EventContext) -> Spawn[LoopData]:
    yield LoopData(id="from service", action="slow")


async def _finish(payload: LoopData) -> LoopResult:
    if payload.action == "slow":
        await asyncio.Event().wait()
    elif payload.action == "pause":
        await asyncio.sleep(0)
    return LoopResult(id=payload.id, queue="handed back")


def hand_back(payload: LoopData, context: EventContext) -> Awaitable[Any]:
    if payload.action == "cancel":
        task = asyncio.current_task()
        assert task is not None
        task.cancel()
    return _finish(payload)
