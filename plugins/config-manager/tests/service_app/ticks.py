"""STREAM: reads ticks; its ``__service__`` also writes some (the engine adds ``ticks$__service__``)."""

import asyncio

from hopeit.app.context import EventContext
from hopeit.app.events import Spawn, service_running

from service_app import Tick

__steps__ = ["read_tick"]


async def __service__(context: EventContext) -> Spawn[Tick]:
    while service_running(context):
        yield Tick(n=0)
        await asyncio.sleep(1.0)


def read_tick(payload: Tick, context: EventContext) -> Tick:
    return payload
