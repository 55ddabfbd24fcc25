"""Query concurrently: load two items at the same time and answer with those found.

A collector step runs its sub-steps concurrently over one payload: ``load_first`` and
``load_second`` each read one item while ``combine`` waits for both (``await collector[...]``).
The next step receives the collector and picks the results it needs. ``check_ids`` runs first,
so invalid ids are answered with 400 once, before any load starts.
"""

import asyncio
from typing import List, Optional

from hopeit.app.api import event_api
from hopeit.app.context import EventContext
from hopeit.app.events import Collector, collector_step

from simple_example.model import ItemsInfo, Something
from simple_example.storage import find_something, something_storage, valid_id, valid_partition_key

__steps__ = [
    "check_ids",
    collector_step(payload=ItemsInfo).gather("load_first", "load_second", "combine"),
    "result",
]

__api__ = event_api(
    summary="Query two items concurrently",
    payload=(ItemsInfo, "ids of the items, and optionally their date partition"),
    responses={
        200: (List[Something], "the items found"),
        400: (str, "an invalid id or partition_key (empty, a path, hidden...)"),
    },
)

#: Pause in each load, so that running them at once visibly saves time.
LOAD_DELAY_SECONDS = 0.1


def check_ids(payload: ItemsInfo, context: EventContext) -> ItemsInfo:
    """Refuse invalid ids or partition key with 400, once, before the concurrent loads start."""
    valid_id(payload.item1_id, "item1_id")
    valid_id(payload.item2_id, "item2_id")
    valid_partition_key(payload.partition_key)
    return payload


async def _load(collector: Collector, context: EventContext, item_id: str) -> Optional[Something]:
    info: ItemsInfo = await collector["payload"]
    await asyncio.sleep(LOAD_DELAY_SECONDS)
    found = await find_something(something_storage(context), item_id, info.partition_key or None)
    return found if isinstance(found, Something) else None


async def load_first(collector: Collector, context: EventContext) -> Optional[Something]:
    """Load ``item1_id``."""
    info: ItemsInfo = await collector["payload"]
    return await _load(collector, context, info.item1_id)


async def load_second(collector: Collector, context: EventContext) -> Optional[Something]:
    """Load ``item2_id``."""
    info: ItemsInfo = await collector["payload"]
    return await _load(collector, context, info.item2_id)


async def combine(collector: Collector, context: EventContext) -> List[Something]:
    """The items both loads found (waits for them)."""
    first = await collector["load_first"]
    second = await collector["load_second"]
    return [item for item in (first, second) if item is not None]


async def result(collector: Collector, context: EventContext) -> List[Something]:
    """Answer with the combined items."""
    items: List[Something] = await collector["combine"]
    return items
