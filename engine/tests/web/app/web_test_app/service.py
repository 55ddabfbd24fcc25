"""SERVICE event counting items while running."""

import asyncio
from typing import AsyncGenerator

from hopeit.app.context import EventContext
from hopeit.app.events import service_running

from web_test_app.state import SERVICE_ITEMS

__steps__ = ["count"]


async def __service__(context: EventContext) -> AsyncGenerator[int, None]:
    while service_running(context):
        await asyncio.sleep(0.05)
        yield 1


def count(payload: int, context: EventContext) -> None:
    SERVICE_ITEMS[0] += payload
