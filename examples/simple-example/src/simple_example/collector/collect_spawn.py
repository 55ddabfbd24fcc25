"""Collect and spawn: load two items concurrently, then send each one to the stream.

The collector (as in ``collector.query_concurrently``) yields an ``ItemsCollected``. ``SHUFFLE``
ends the first stage there: the request is answered with the number of items, and the rest runs
in the background, reading ``ItemsCollected`` from an automatic stream. ``spawn`` is a generator
step (``Spawn[Something]``): every item it yields continues on its own and is published to
``write_stream``.
"""

from typing import List

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PostprocessHook
from hopeit.app.events import SHUFFLE, Collector, Spawn, collector_step

from simple_example.collector.query_concurrently import check_ids, combine, load_first, load_second
from simple_example.model import ItemsCollected, ItemsInfo, Something

__all__ = ["check_ids", "combine", "load_first", "load_second", "result", "spawn"]

__steps__ = [
    "check_ids",
    collector_step(payload=ItemsInfo).gather("load_first", "load_second", "combine"),
    "result",
    SHUFFLE,
    "spawn",
]

__api__ = event_api(
    summary="Load two items and send them to the stream",
    payload=(ItemsInfo, "ids of the items, and optionally their date partition"),
    responses={
        200: (int, "number of items sent"),
        400: (str, "an invalid id or partition_key (empty, a path, hidden...)"),
    },
)


async def result(collector: Collector, context: EventContext) -> ItemsCollected:
    """Wrap the combined items in a data object, so it can travel through a stream."""
    items: List[Something] = await collector["combine"]
    return ItemsCollected(items=items)


async def spawn(payload: ItemsCollected, context: EventContext) -> Spawn[Something]:
    """Yield each item: each one is published to the write stream."""
    for item in payload.items:
        yield item


async def __postprocess__(payload: ItemsCollected, context: EventContext, response: PostprocessHook) -> int:
    """Answer with how many items go to the stream."""
    return len(payload.items)
