"""GET: an item, published to the items stream."""

from hopeit.app.context import EventContext

from stream_app import Item

__steps__ = ["send"]


def send(payload: None, context: EventContext, *, item_id: str = "1") -> Item:
    return Item(id=item_id)
