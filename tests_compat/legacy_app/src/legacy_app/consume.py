"""Consume: reads the items stream and stores every item (legacy-consumer's STREAM event)."""

from hopeit.app.context import EventContext
from hopeit.app.logger import app_logger

from legacy_app import storage
from legacy_app.model import Something

__steps__ = ["store"]

logger = app_logger()


async def __init_event__(context: EventContext) -> None:
    storage.init_storage(context)


async def store(payload: Something, context: EventContext) -> Something:
    assert storage.fs is not None
    await storage.fs.store(payload.id, payload)
    logger.info(context, "stored", extra={"item_id": payload.id})
    return payload
