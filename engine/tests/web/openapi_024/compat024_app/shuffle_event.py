"""Compat: shuffle event"""
from typing import List

from hopeit.app.api import event_api
from hopeit.app.context import EventContext
from hopeit.app.events import SHUFFLE, Spawn

from compat024_app.model import Part, StreamedThing

__steps__ = ["split", SHUFFLE, "convert"]

__api__ = event_api(
    payload=(List[Part], "parts to split"),
    responses={200: (str, "done")},
)


async def split(payload: List[Part], context: EventContext) -> Spawn[Part]:
    """Step of the test event."""
    for part in payload:
        yield part


def convert(payload: Part, context: EventContext) -> StreamedThing:
    """Step of the test event."""
    return StreamedThing(value=payload.name)
