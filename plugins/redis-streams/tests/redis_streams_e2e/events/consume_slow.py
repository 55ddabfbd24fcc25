"""STREAM: a slow consumer that counts how many messages it holds at once (back-pressure tests)."""

import asyncio
from typing import List

from hopeit.app.context import EventContext

from redis_streams_e2e import Item

__steps__ = ["hold"]

#: ``[messages being held now, the most held at once, messages done]``
HELD: List[int] = [0, 0, 0]


async def hold(payload: Item, context: EventContext) -> None:
    HELD[0] += 1
    HELD[1] = max(HELD[1], HELD[0])
    try:
        await asyncio.sleep(0.001)  # slower than Redis hands messages out
    finally:
        HELD[0] -= 1
        HELD[2] += 1
