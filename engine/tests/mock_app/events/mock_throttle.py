"""Throttled spawning event with a step delay."""

from hopeit.app.context import EventContext
from hopeit.app.events import Spawn

__steps__ = ["produce"]


async def produce(payload: None, context: EventContext) -> Spawn[str]:
    for i in range(3):
        yield str(i)
