"""Compat: stream consumer"""
from hopeit.app.context import EventContext

from compat024_app.model import StreamedThing

__steps__ = ["consume"]


def consume(payload: StreamedThing, context: EventContext) -> None:
    """Step of the test event."""
    return None
