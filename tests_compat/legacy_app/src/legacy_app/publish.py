"""Publish: writes the posted item to the items stream, that legacy-consumer reads."""

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

from legacy_app.model import Something

__steps__ = ["publish"]

__api__ = event_api(payload=(Something, "the item"), responses={200: (Something, "the item as published")})


def publish(payload: Something, context: EventContext) -> Something:
    return payload
