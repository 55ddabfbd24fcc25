"""Standalone GET event of the plugin."""

from hopeit.app.context import EventContext

__steps__ = ["own"]


def own(payload: None, context: EventContext) -> str:
    return f"own:{context.app_key}"
