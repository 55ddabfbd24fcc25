"""Compat: who am I"""
from hopeit.app.api import event_api
from hopeit.app.context import EventContext

__steps__ = ["run"]

__api__ = event_api(responses={200: (str, "user")})


def run(payload: None, context: EventContext) -> str:
    """Step of the test event."""
    return "me"
