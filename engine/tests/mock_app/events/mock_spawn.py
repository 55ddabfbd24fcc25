"""Generator step: every yielded item continues on its own."""

from hopeit.app.context import EventContext
from hopeit.app.events import Spawn

from mock_app import MockData

__steps__ = ["produce", "expand", "finish"]


async def produce(payload: None, context: EventContext, n: str = "2") -> Spawn[MockData]:
    for i in range(int(n)):
        yield MockData(id=str(i), value=f"item{i}")


async def expand(payload: MockData, context: EventContext) -> Spawn[MockData]:
    for suffix in ("a", "b"):
        yield MockData(id=f"{payload.id}{suffix}", value=payload.value)


def finish(payload: MockData, context: EventContext) -> MockData:
    payload.tags.append("done")
    return payload
