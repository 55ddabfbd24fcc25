"""Something event: submit a ``Something`` to be processed in the background.

The POST answers at once with the submitted item; its copy travels through the stream in
``write_stream`` (queue ``high-prio``: stream ``<name>.high-prio``) to ``streams.process_events``,
which stores it. Query it afterwards with ``query_something``.
"""

from hopeit.app.api import event_api
from hopeit.app.context import EventContext
from hopeit.app.logger import app_extra_logger

from simple_example.model import Something, StatusType
from simple_example.storage import now, valid_id

__steps__ = ["submit"]

logger, extra = app_extra_logger()

__api__ = event_api(
    summary="Submit something to the stream",
    payload=(Something, "the item to process"),
    responses={200: (Something, "the item as submitted"), 400: (str, "invalid id (empty, a path, hidden...)")},
)


def submit(payload: Something, context: EventContext) -> Something:
    """Mark the item SUBMITTED; the engine then publishes it to the write stream."""
    valid_id(payload.id, "id")  # refused here with 400, not later in the stream consumer that stores it
    payload.set_status(StatusType.SUBMITTED, now())
    logger.info(context, "submitted", extra=extra(something_id=payload.id))
    return payload
