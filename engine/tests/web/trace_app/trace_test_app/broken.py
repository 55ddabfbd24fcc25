"""GET: a step that fails (its span and the event's are marked failed)."""

from hopeit.app.context import EventContext

__steps__ = ["fail"]


def fail(payload: None, context: EventContext) -> str:
    raise ValueError("broken on purpose")
