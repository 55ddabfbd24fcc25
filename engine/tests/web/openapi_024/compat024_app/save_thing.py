"""
Compat: save thing
"""
from hopeit.app.api import event_api
from hopeit.app.context import EventContext

from compat024_app.model import Thing, ThingId

__steps__ = ["save"]

__api__ = event_api(
    summary="Save a thing",
    description="Saves the thing it receives",
    payload=(Thing, "Thing to save"),
    responses={200: (ThingId, "saved id")},
)


def save(payload: Thing, context: EventContext) -> ThingId:
    """Step of the test event."""
    return ThingId(id=payload.id, saved=True)
