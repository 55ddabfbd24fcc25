"""POST: publish ``count`` items to the stream (spawned, so they are written in batches)."""

from hopeit.app.context import EventContext
from hopeit.app.events import Spawn

from redis_streams_e2e import Item, Order

__steps__ = ["items"]


async def items(payload: Order, context: EventContext) -> Spawn[Item]:
    for index in range(payload.count):
        yield Item(id=f"item-{index}", index=index, poison=index == payload.poison)
