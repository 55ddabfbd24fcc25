"""SERVICE event whose __service__ does not loop on service_running."""

from hopeit.app.context import EventContext
from hopeit.app.events import Spawn

__steps__ = ["handle"]


async def __service__(context: EventContext) -> Spawn[str]:
    yield "once"


def handle(payload: str, context: EventContext) -> str:
    return payload
