"""Compat: list things

Lists them all.
"""
from typing import List

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

from compat024_app.model import Part

__steps__ = ["list_parts"]

__api__ = event_api(
    responses={200: (List[Part], "List of parts")},
)


def list_parts(payload: None, context: EventContext) -> List[Part]:
    """Step of the test event."""
    return [Part(name="a")]
