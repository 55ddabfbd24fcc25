"""GET: an item by id, or 404 with ``SomethingNotFound`` for ids starting with ``missing``."""

from typing import Union

from hopeit.app.context import EventContext, PostprocessHook

from target_app import Something, SomethingNotFound, host_name

__steps__ = ["find"]


def find(payload: None, context: EventContext, *, item_id: str, user: str = "") -> Union[Something, SomethingNotFound]:
    if item_id.startswith("missing"):
        return SomethingNotFound(path="/data", id=item_id)
    return Something(id=item_id, user=user, host=host_name(context))


def __postprocess__(
    payload: Union[Something, SomethingNotFound], context: EventContext, *, response: PostprocessHook
) -> Union[Something, SomethingNotFound]:
    if isinstance(payload, SomethingNotFound):
        response.set_status(404)
    return payload
