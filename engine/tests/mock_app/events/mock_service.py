"""SERVICE event: a generator loop feeding items to its steps until stopped."""

import asyncio

from hopeit.app.context import EventContext
from hopeit.app.events import Spawn, service_running

from mock_app import MockData

__steps__ = ["publish"]


async def __service__(context: EventContext) -> Spawn[str]:
    i = 0
    while service_running(context):
        yield f"svc{i}"
        i += 1
        await asyncio.sleep(0.001)
    yield "final"


def publish(payload: str, context: EventContext) -> MockData:
    return MockData(id=payload, value="service")
