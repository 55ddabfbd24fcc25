"""SERVICE event whose step fails for every other item."""

from hopeit.app.context import EventContext
from hopeit.app.events import Spawn, service_running

__steps__ = ["handle"]


async def __service__(context: EventContext) -> Spawn[int]:
    i = 0
    while service_running(context):
        yield i
        i += 1


def handle(payload: int, context: EventContext) -> str:
    if payload % 2:
        raise ValueError(f"odd item {payload}")
    return f"even {payload}"
