"""GET: query an item, mapping the target's 404 answer to ``SomethingNotFound``."""

from typing import Union

from hopeit.app.client import app_call
from hopeit.app.context import EventContext
from target_app import Something, SomethingNotFound

__steps__ = ["call"]


async def call(payload: None, context: EventContext, *, item_id: str) -> str:
    result: Union[Something, SomethingNotFound] = await app_call(
        "target_conn_unsecured", event="query_something", datatype=Something, payload=None, context=context,
        responses={404: SomethingNotFound}, item_id=item_id,
    )
    return f"{type(result).__name__}: {result.id}"
