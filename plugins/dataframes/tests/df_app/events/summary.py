"""GET the summary saved for a batch (404 when there is none yet)."""

from typing import Optional

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PostprocessHook

from df_app import Summary
from df_app.events.storage import load

__steps__ = ["find"]

__api__ = event_api(
    query_args=[("key", str, "batch id (with -pipeline for the SHUFFLE event)")],
    responses={200: (Summary, "the summary"), 404: (str, "not there yet")},
)


async def find(payload: None, context: EventContext, key: str) -> Optional[Summary]:
    return await load(key, context)


async def __postprocess__(payload: Optional[Summary], context: EventContext, response: PostprocessHook) -> object:
    if payload is None:
        response.set_status(404)
        return "not found"
    return payload
