"""Ticker: a SERVICE event that makes a numbered Message every 100 ms while the service runs."""

import asyncio

from hopeit.app.context import EventContext
from hopeit.app.events import Spawn, service_running

from legacy_app.model import Message

__steps__ = ["count"]


async def __service__(context: EventContext) -> Spawn[Message]:
    i = 0
    while service_running(context):
        i += 1
        yield Message(text=f"tick {i}", length=i)
        await asyncio.sleep(0.1)


def count(payload: Message, context: EventContext) -> Message:
    return Message(text=payload.text.upper(), length=payload.length)
