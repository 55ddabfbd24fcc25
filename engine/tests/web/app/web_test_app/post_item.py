"""Post item: echoes a validated item, published to a stream."""

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

from web_test_app import Item

__steps__ = ["increment"]

__api__ = event_api(payload=(Item, "Item to store"), responses={200: Item})


def increment(payload: Item, context: EventContext) -> Item:
    payload.count += 1
    payload.note = context.track_ids.get("track.session_id")
    return payload
