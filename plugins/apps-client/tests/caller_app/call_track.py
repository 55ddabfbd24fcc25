"""GET: the target's view of this request's track ids (UNSECURED)."""

from hopeit.app.client import app_call
from hopeit.app.context import EventContext
from target_app import Identity

__steps__ = ["call"]


async def call(payload: None, context: EventContext) -> Identity:
    return await app_call("target_conn_unsecured", event="whoami", datatype=Identity, payload=None, context=context)
