"""GET event with a sync __init_event__ and a throttled generator."""

from typing import List

from hopeit.app.context import EventContext
from hopeit.app.events import Spawn

__steps__ = ["produce"]

INITS: List[str] = []


def __init_event__(context: EventContext) -> None:
    INITS.append(context.event_name)


async def produce(payload: None, context: EventContext, n: str = "2") -> Spawn[str]:
    for i in range(int(n)):
        yield str(i)
