"""A SETUP event whose plain ``def`` step hands back a coroutine that waits while ``HOLD`` is set."""

import asyncio
from typing import Any, Awaitable, List

from hopeit.app.context import EventContext

__steps__ = ["hand_back"]

#: set by a test: the coroutine then waits until the SETUP event's response_timeout ends it
HOLD: List[bool] = []


async def _finish() -> str:
    if HOLD:
        await asyncio.Event().wait()
    return "set up"


def hand_back(payload: None, context: EventContext) -> Awaitable[Any]:
    return _finish()
