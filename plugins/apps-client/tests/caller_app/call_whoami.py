"""GET: who the target sees when called with a token signed by this app (CLIENT_APP_PUBLIC_KEY)."""

from hopeit.app.client import app_call
from hopeit.app.context import EventContext
from target_app import Identity

__steps__ = ["call"]


async def call(payload: None, context: EventContext) -> Identity:
    return await app_call("target_conn", event="whoami_bearer", datatype=Identity, payload=None, context=context)
