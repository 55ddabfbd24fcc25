"""Query something: loads a saved Something by id; 404 with SomethingNotFound when missing."""

from typing import Union

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PostprocessHook

from legacy_app import storage
from legacy_app.model import Something, SomethingNotFound

__steps__ = ["load"]

__api__ = event_api(
    query_args=[("item_id", str, "id of the item")],
    responses={200: (Something, "the item"), 404: (SomethingNotFound, "no such item")},
)


async def __init_event__(context: EventContext) -> None:
    storage.init_storage(context)


async def load(payload: None, context: EventContext, item_id: str) -> Union[Something, SomethingNotFound]:
    assert storage.fs is not None
    found = await storage.fs.get(item_id, datatype=Something)
    if found is None:
        return SomethingNotFound(path="fs_storage", id=item_id)
    return found


async def __postprocess__(payload: Union[Something, SomethingNotFound], context: EventContext,
                          response: PostprocessHook) -> Union[Something, SomethingNotFound]:
    if isinstance(payload, SomethingNotFound):
        response.set_status(404)
    return payload
