"""Save an item (echoes it)."""

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

from startup_test_app import Item

__steps__ = ["save"]

__api__ = event_api(payload=(Item, "the item"), responses={200: (Item, "the item saved")})


async def save(payload: Item, context: EventContext) -> Item:
    """The item, as received."""
    return payload
