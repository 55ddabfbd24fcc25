"""GET: served under a custom route, reached through ``routes_override``."""

from hopeit.app.context import EventContext

from target_app import host_name

__steps__ = ["answer"]


def answer(payload: None, context: EventContext) -> str:
    return f"custom route at {host_name(context)}"
