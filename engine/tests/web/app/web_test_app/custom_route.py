"""GET on a custom route."""

from hopeit.app.context import EventContext

__steps__ = ["answer"]


def answer(payload: None, context: EventContext) -> str:
    return f"{context.event_name}:-"
