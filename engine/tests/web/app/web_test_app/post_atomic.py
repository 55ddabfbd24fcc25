"""Doubles a number sent as {"value": n}."""

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

__steps__ = ["double"]

__api__ = event_api(payload=(int, "A number"), responses={200: (int, "Twice the number")})


def double(payload: int, context: EventContext) -> int:
    return payload * 2
