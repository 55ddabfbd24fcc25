"""Compat: atomic str"""
from hopeit.app.api import event_api
from hopeit.app.context import EventContext

__steps__ = ["run"]

__api__ = event_api(
    query_args=[("text", str)],
    responses={200: (str, "the text back")},
)


def run(payload: None, context: EventContext, text: str) -> str:
    """Step of the test event."""
    return text
