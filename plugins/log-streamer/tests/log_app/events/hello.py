"""GET: answers, so its log gets a START and a DONE line."""

from hopeit.app.context import EventContext

__steps__ = ["hello"]


def hello(payload: None, context: EventContext, name: str = "") -> str:
    """A greeting."""
    return f"hello {name}"
