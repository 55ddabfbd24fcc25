"""Spawn and shuffle: three copies of the posted item go through a SHUFFLE stage to the items stream."""

from datetime import datetime, timezone
from typing import Optional

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PostprocessHook
from hopeit.app.events import SHUFFLE, Spawn
from hopeit.dataobjects import copy_payload

from legacy_app.model import Something, Status, StatusType

__steps__ = ["spawn_many", SHUFFLE, "mark_processed"]

__api__ = event_api(payload=(Something, "the item to copy"), responses={200: (str, "where the copies went")})


async def spawn_many(payload: Something, context: EventContext) -> Spawn[Something]:
    for i in range(3):
        item: Optional[Something] = copy_payload(payload)
        assert item is not None
        item.id = f"{payload.id}-{i}"
        yield item


async def mark_processed(payload: Something, context: EventContext) -> Something:
    if payload.status is not None:
        payload.history.append(payload.status)
    payload.status = Status(ts=datetime(2024, 1, 1, tzinfo=timezone.utc), type=StatusType.PROCESSED)
    return payload


async def __postprocess__(payload: Something, context: EventContext, response: PostprocessHook) -> str:
    response.set_header("X-Stream-Name", "legacy.items")
    return "events submitted to stream: legacy.items"
