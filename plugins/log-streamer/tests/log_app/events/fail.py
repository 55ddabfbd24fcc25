"""GET: fails, so its log gets a START and a FAILED line."""

from hopeit.app.context import EventContext

__steps__ = ["fail"]


def fail(payload: None, context: EventContext) -> str:
    """Always raises."""
    raise ValueError("failing on purpose")
