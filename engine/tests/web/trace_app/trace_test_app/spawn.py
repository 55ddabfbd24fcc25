"""POST: two items from one request, spawned: both messages carry the request's trace."""


from hopeit.app.context import EventContext
from hopeit.app.events import Spawn

from trace_test_app import Item, seen

__steps__ = ["split"]


async def split(payload: Item, context: EventContext) -> Spawn[Item]:
    seen("spawn", context)
    for n in range(2):
        yield Item(id=f"{payload.id}-{n}")
