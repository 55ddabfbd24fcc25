"""GET (Standalone): the plugin's own event."""

from hopeit.app.context import EventContext

__steps__ = ["status"]


def status(payload: None, context: EventContext) -> str:
    return "ok"
