"""Collect: loads two items concurrently with a collector (0.24's ``hopeit.server.collector``)."""

from typing import List, Optional

from hopeit.app.api import event_api
from hopeit.app.context import EventContext
from hopeit.app.events import collector_step
from hopeit.server.collector import Collector

from legacy_app import storage
from legacy_app.model import ItemsCollected, ItemsInfo, Something

__steps__ = [collector_step(payload=ItemsInfo).gather("load_first", "load_second", "combine"), "result"]

__api__ = event_api(payload=(ItemsInfo, "ids to load"), responses={200: (ItemsCollected, "the items found")})


async def __init_event__(context: EventContext) -> None:
    storage.init_storage(context)


async def load_first(collector: Collector, context: EventContext) -> Optional[Something]:
    info = await collector["payload"]
    assert storage.fs is not None
    return await storage.fs.get(info.item1_id, datatype=Something)


async def load_second(collector: Collector, context: EventContext) -> Optional[Something]:
    info = await collector["payload"]
    assert storage.fs is not None
    return await storage.fs.get(info.item2_id, datatype=Something)


async def combine(collector: Collector, context: EventContext) -> List[Something]:
    first = await collector["load_first"]
    second = await collector["load_second"]
    return [item for item in (first, second) if item is not None]


async def result(collector: Collector, context: EventContext) -> ItemsCollected:
    return ItemsCollected(items=await collector["combine"])
