"""Compat: event without __api__"""
from hopeit.app.context import EventContext

from compat024_app.model import MyObject

__steps__ = ["run"]


def run(payload: None, context: EventContext) -> MyObject:
    """Step of the test event."""
    return MyObject(text="x", length=1)
