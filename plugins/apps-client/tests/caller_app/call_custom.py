"""GET: an event of the target served under a custom route (``routes_override``)."""

from hopeit.app.client import app_call
from hopeit.app.context import EventContext

__steps__ = ["call"]


async def call(payload: None, context: EventContext) -> str:
    return await app_call("target_conn", event="custom_route", datatype=str, payload=None, context=context)
