"""GET event of host-one that calls the echo client."""

from hopeit.app.client import app_call, app_call_list
from hopeit.app.context import EventContext

from plugin_app import Reply

__steps__ = ["call"]


async def call(payload: None, context: EventContext, mode: str = "first") -> str:
    if mode == "list":
        replies = await app_call_list("echo-conn", event="echo", datatype=Reply, payload="p", context=context, x="1")
        return ",".join(r.value for r in replies)
    reply = await app_call("echo-conn", event="echo", datatype=Reply, payload="p", context=context, x="1")
    return f"{reply.event}:{reply.value}"
