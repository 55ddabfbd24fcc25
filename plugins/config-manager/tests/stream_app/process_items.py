"""STREAM: items in three stages (``split``, ``count``, ``store``) joined by SHUFFLE."""

from hopeit.app.context import EventContext
from hopeit.app.events import SHUFFLE, Spawn

from stream_app import Item

__steps__ = ["split", SHUFFLE, "count", SHUFFLE, "store"]


async def split(payload: Item, context: EventContext) -> Spawn[Item]:
    yield Item(id=f"{payload.id}.a")
    yield Item(id=f"{payload.id}.b")


def count(payload: Item, context: EventContext) -> Item:
    return Item(id=payload.id, count=payload.count + 1)


def store(payload: Item, context: EventContext) -> Item:
    return payload
