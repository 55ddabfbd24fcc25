"""SERVICE: a tick now and then, while the service runs."""

import asyncio

from hopeit.app.context import EventContext
from hopeit.app.events import Spawn, service_running

from service_app import Tick

__steps__ = ["beat"]


async def __service__(context: EventContext) -> Spawn[Tick]:
    n = 0
    while service_running(context):
        yield Tick(n=n)
        n += 1
        await asyncio.sleep(1.0)


def beat(payload: Tick, context: EventContext) -> Tick:
    return payload
