"""Reads an item of an in-memory storage by key: storage key errors are the client's (400)."""

from hopeit.app.context import EventContext
from hopeit.storage.memory import MemoryStorage

from web_test_app import Item

__steps__ = ["read"]

_storage = MemoryStorage(name="web-test-stored")


async def read(payload: None, context: EventContext, key: str) -> str:
    item = await _storage.get(key, datatype=Item)
    return "missing" if item is None else item.id
