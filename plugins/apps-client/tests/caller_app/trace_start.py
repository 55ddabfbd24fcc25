"""POST: the item goes to stream ``trace_caller.started``, where ``trace_call`` reads it."""

from hopeit.app.context import EventContext
from target_app import Something

__steps__ = ["start"]


def start(payload: Something, context: EventContext) -> Something:
    return payload
