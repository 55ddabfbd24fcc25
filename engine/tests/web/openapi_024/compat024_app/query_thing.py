"""
Compat: query thing

Returns a thing built from
typed query args.
"""
from datetime import datetime
from decimal import Decimal
from typing import List, Optional
from uuid import UUID

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

from compat024_app.model import Color, Extras, Level, Part, Size, Thing

__steps__ = ["query"]

__api__ = event_api(
    query_args=[
        ("name", str, "A name"),
        ("count", int, "How many"),
        ("ratio", float),
        ("flag", bool, "A flag"),
        ("maybe", Optional[str], "Optional text"),
        ("since", datetime, "Since when"),
        "plain",
        ("color", Optional[Color], "A color"),
        ("ids", List[int], "Some ids"),
    ],
    responses={
        200: (Thing, "The thing"),
        404: (str, "Not found"),
    },
)


def query(payload: None, context: EventContext, name: str, count: str, ratio: str, flag: str,
          since: str, plain: str, ids: str, maybe: Optional[str] = None, color: Optional[str] = None) -> Thing:
    """A thing named ``name``."""
    extras = Extras(amount=Decimal("1.5"), uid=UUID(int=1), when=datetime(2020, 1, 1), level=Level.LOW,
                    color=Color.RED)
    return Thing(id=name, count=int(count), created=datetime(2020, 1, 1), size=Size.SMALL, tags=[], attrs={},
                 parts=[], main_part=Part(name="p"), part_map={}, extras=extras)
