"""Plugin: own event"""
from hopeit.app.api import event_api
from hopeit.app.context import EventContext

__steps__ = ["run"]

__api__ = event_api(responses={200: (str, "ok")})


def run(payload: None, context: EventContext) -> str:
    """Step of the test event."""
    return "ok"
