"""List stored: every item legacy-consumer has stored, by id."""

from typing import List

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

from legacy_app import storage
from legacy_app.model import Something

__steps__ = ["load_all"]

__api__ = event_api(responses={200: (List[Something], "the stored items, by id")})


async def __init_event__(context: EventContext) -> None:
    storage.init_storage(context)


async def load_all(payload: None, context: EventContext) -> List[Something]:
    assert storage.fs is not None
    items = []
    for locator in await storage.fs.list_objects():
        item = await storage.fs.get(locator.item_id, datatype=Something, partition_key=locator.partition_key)
        if item is not None:
            items.append(item)
    return sorted(items, key=lambda item: item.id)
