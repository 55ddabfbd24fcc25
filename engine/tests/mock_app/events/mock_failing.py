"""Event in group 'extra' whose step fails."""

from hopeit.app.context import EventContext

__steps__ = ["fail"]


def fail(payload: None, context: EventContext) -> str:
    raise AssertionError("Test for error")
