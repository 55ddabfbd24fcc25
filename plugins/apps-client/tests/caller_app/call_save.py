"""POST: save an item in the target app."""

from hopeit.app.client import app_call
from hopeit.app.context import EventContext
from target_app import Something

__steps__ = ["call"]


async def call(payload: Something, context: EventContext) -> str:
    return await app_call("target_conn", event="save_something", datatype=str, payload=payload, context=context)
