"""GET (Basic auth): forwards the caller's credentials to the target (FORWARD_CONTEXT)."""

from hopeit.app.client import app_call
from hopeit.app.context import EventContext
from target_app import Identity

__steps__ = ["call"]


async def call(payload: None, context: EventContext) -> Identity:
    return await app_call(
        "target_conn_forward", event="whoami_basic", datatype=Identity, payload=None, context=context
    )
