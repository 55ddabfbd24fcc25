"""GET: the target's list of items."""

from typing import List

from hopeit.app.client import app_call_list
from hopeit.app.context import EventContext
from target_app import Something

__steps__ = ["call"]


async def call(payload: None, context: EventContext, *, count: str) -> List[Something]:
    return await app_call_list(
        "target_conn", event="list_somethings", datatype=Something, payload=None, context=context, count=count
    )
