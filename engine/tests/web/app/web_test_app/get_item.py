"""Get item

Returns an item built from typed query args.
"""

from datetime import date
from typing import List, Optional

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

from web_test_app import Color, Item

__steps__ = ["build"]

__api__ = event_api(
    query_args=[
        ("item_id", str, "Item id"),
        ("count", int, "How many"),
        ("color", Optional[Color]),
        ("day", Optional[date]),
        ("flag", Optional[bool]),
        ("tags", Optional[List[int]]),
    ],
    responses={200: (Item, "The item")},
)


def build(
    payload: None, context: EventContext, item_id: str, count: int, color: Optional[Color] = None,
    day: Optional[date] = None, flag: Optional[bool] = None, tags: Optional[List[int]] = None,
) -> Item:
    assert isinstance(count, int)
    note = None
    if day is not None or flag is not None or tags is not None:
        note = f"{type(day).__name__}:{day} {type(flag).__name__}:{flag} {tags}"
    return Item(id=item_id, count=count, color=color or Color.RED, note=note)
