"""My object: echo"""
from hopeit.app.api import event_api
from hopeit.app.context import EventContext

from compat024_app.model import MyObject

__steps__ = ["echo"]

__api__ = event_api(
    payload=MyObject,
    responses={200: MyObject},
)


def echo(payload: MyObject, context: EventContext) -> MyObject:
    """Step of the test event."""
    return payload
