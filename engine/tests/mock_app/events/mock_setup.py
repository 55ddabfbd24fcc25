"""SETUP event: runs once at start."""

from hopeit.app.context import EventContext

__steps__ = ["setup"]

CALLS = []


def setup(payload: None, context: EventContext) -> str:
    CALLS.append(context.event_name)
    return "ready"
