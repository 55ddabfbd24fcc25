"""POST: pretends to save an item, answers with a message."""

from hopeit.app.context import EventContext

from target_app import Something, host_name

__steps__ = ["save"]


def save(payload: Something, context: EventContext) -> str:
    return f"saved {payload.id} by {payload.user} at {host_name(context)}"
