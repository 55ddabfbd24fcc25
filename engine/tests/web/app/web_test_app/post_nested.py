"""Echoes a nested payload."""

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

from web_test_app import Nested

__steps__ = ["echo"]

__api__ = event_api(payload=Nested, responses={200: Nested})


def echo(payload: Nested, context: EventContext) -> Nested:
    return payload
