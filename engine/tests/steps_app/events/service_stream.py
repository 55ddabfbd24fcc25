"""STREAM event that also defines __service__: gets a '$__service__' SERVICE event."""

from hopeit.app.context import EventContext
from hopeit.app.events import Spawn, service_running

from steps_app import LoopData

__steps__ = ["handle"]


async def __service__(context: EventContext) -> Spawn[LoopData]:
    while service_running(context):
        yield LoopData(id="svc")


def handle(payload: LoopData, context: EventContext) -> LoopData:
    return payload
