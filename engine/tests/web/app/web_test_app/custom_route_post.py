"""POST on the same custom route as custom_route."""

from hopeit.app.context import EventContext

from web_test_app import Item

__steps__ = ["answer"]


def answer(payload: Item, context: EventContext) -> str:
    return f"{context.event_name}:{payload.id}"
