"""Query something: load a stored ``Something`` by id.

Answers 404 with ``SomethingNotFound`` when there is none. Without ``partition_key`` the newest
date partition holding the id is used. The loaded copy gets status LOADED (not saved back).
"""

from typing import Optional, Union

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PostprocessHook
from hopeit.app.logger import app_extra_logger

from simple_example.model import Something, SomethingNotFound
from simple_example.storage import find_something, mark_loaded, something_storage, valid_id, valid_partition_key

__steps__ = ["load", "update_status_history"]

logger, extra = app_extra_logger()

__api__ = event_api(
    summary="Query something",
    query_args=[
        ("item_id", str, "Id of the item to load"),
        ("partition_key", Optional[str], "Date partition (YYYY/MM/DD/HH); default: the newest holding the id"),
    ],
    responses={
        200: (Something, "the item"),
        400: (str, "invalid item_id or partition_key (empty, a path, hidden...)"),
        404: (SomethingNotFound, "no item with that id"),
    },
)


async def load(
    payload: None, context: EventContext, *, item_id: str, partition_key: Optional[str] = None
) -> Union[Something, SomethingNotFound]:
    """Find the item; a ``SomethingNotFound`` skips the next step (it only takes ``Something``)."""
    logger.info(context, "load", extra=extra(something_id=item_id))
    item_id, partition_key = valid_id(item_id), valid_partition_key(partition_key)
    return await find_something(something_storage(context), item_id, partition_key)


def update_status_history(payload: Something, context: EventContext) -> Something:
    """Mark the loaded copy as LOADED."""
    return mark_loaded(payload)


async def __postprocess__(
    payload: Union[Something, SomethingNotFound], context: EventContext, response: PostprocessHook
) -> Union[Something, SomethingNotFound]:
    """Answer 404 when nothing was found."""
    if isinstance(payload, SomethingNotFound):
        response.set_status(404)
    return payload
