"""GET: answers without calling anyone (used to see the server is up)."""

from hopeit.app.context import EventContext

__steps__ = ["pong"]


def pong(payload: None, context: EventContext) -> str:
    return "pong"
