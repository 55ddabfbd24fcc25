"""Process events: consume submitted items from the stream, store them, publish what was stored.

A STREAM event. It reads queue ``high-prio`` first, then the plain stream (``queues`` in app
config), so items sent with priority are handled first. Each item is marked PROCESSED and saved
to the app's ``FileStorage``; the ``SomethingStored`` result goes to this event's write stream
with ``queue_strategy: PROPAGATE``: an item read from ``high-prio`` is written to the
``high-prio`` queue of the next stream too. A message is acknowledged only once processed
without error.
"""

from hopeit.app.context import EventContext
from hopeit.app.logger import app_extra_logger

from simple_example.model import Something, SomethingStored, StatusType
from simple_example.storage import now, something_storage

__steps__ = ["update_status", "save"]

logger, extra = app_extra_logger()


def update_status(payload: Something, context: EventContext) -> Something:
    """Mark the item PROCESSED."""
    payload.set_status(StatusType.PROCESSED, now())
    return payload


async def save(payload: Something, context: EventContext) -> SomethingStored:
    """Store the item in the date partition of its PROCESSED time."""
    path = await something_storage(context).store(payload.id, payload)
    logger.info(context, f"stored {path}", extra=extra(something_id=payload.id))
    return SomethingStored(path=path, payload=payload)
