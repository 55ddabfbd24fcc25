"""An item by id."""

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

from startup_test_app import Item

__steps__ = ["get_item"]

__api__ = event_api(query_args=[("item_id", str, "id of the item")], responses={200: (Item, "the item")})


async def get_item(payload: None, context: EventContext, item_id: str) -> Item:
    """The item named ``item_id``."""
    return Item(id=item_id, count=1)
