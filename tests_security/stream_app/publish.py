"""Publish: write the item to the stream ``stream_app.items``; answers once Redis has it."""

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

from stream_app import Item

__steps__ = ["submit"]

__api__ = event_api(
    summary="Publish an item to the stream",
    payload=(Item, "the item"),
    responses={200: (Item, "the item, written to the stream")},
)


def submit(payload: Item, context: EventContext) -> Item:
    """The item as it is: the engine writes the result to the event's write stream."""
    return payload
