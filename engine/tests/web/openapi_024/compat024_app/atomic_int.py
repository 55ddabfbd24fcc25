"""Compat: atomic int from a str payload"""
from hopeit.app.api import event_api
from hopeit.app.context import EventContext

__steps__ = ["run"]

__api__ = event_api(
    payload=(str, "some text"),
    responses={200: int, 400: (float, "a float")},
)


def run(payload: str, context: EventContext) -> int:
    """Step of the test event."""
    return len(payload)
