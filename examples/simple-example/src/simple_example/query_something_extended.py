"""Query something extended: load a ``Something``, set the status sent in the body, save it back.

A POST event on the same route as the GET event ``query_something`` (``route`` in app config):
one URL, two methods.
"""

from typing import Optional, Union

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PostprocessHook
from hopeit.app.logger import app_extra_logger

from simple_example.model import Something, SomethingNotFound, Status
from simple_example.storage import find_something, something_storage, valid_id, valid_partition_key

__steps__ = ["load", "save_with_updated_status"]

logger, extra = app_extra_logger()

__api__ = event_api(
    summary="Update the status of something",
    payload=(Status, "the new status"),
    query_args=[
        ("item_id", str, "Id of the item to update"),
        ("partition_key", Optional[str], "Date partition (YYYY/MM/DD/HH); default: the newest holding the id"),
    ],
    responses={
        200: (Something, "the updated item"),
        400: (str, "invalid item_id or partition_key (empty, a path, hidden...)"),
        404: (SomethingNotFound, "no item with that id"),
    },
)


async def load(
    payload: Status, context: EventContext, *, item_id: str, partition_key: Optional[str] = None
) -> Union[Something, SomethingNotFound]:
    """Find the item and give it the new status (the previous one goes to history)."""
    logger.info(context, "load", extra=extra(something_id=item_id))
    item_id, partition_key = valid_id(item_id), valid_partition_key(partition_key)
    item = await find_something(something_storage(context), item_id, partition_key)
    if isinstance(item, Something):
        item.set_status(payload.type, payload.ts)
    return item


async def save_with_updated_status(payload: Something, context: EventContext) -> Something:
    """Store the updated item (in the partition of its new status time)."""
    path = await something_storage(context).store(payload.id, payload)
    logger.info(context, f"saved {path}", extra=extra(something_id=payload.id))
    return payload


async def __postprocess__(
    payload: Union[Something, SomethingNotFound], context: EventContext, response: PostprocessHook
) -> Union[Something, SomethingNotFound]:
    """Answer 404 when nothing was found."""
    if isinstance(payload, SomethingNotFound):
        response.set_status(404)
    return payload
