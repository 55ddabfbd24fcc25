"""OnApp GET of the plugin."""

from hopeit.app.context import EventContext

__steps__ = ["get"]


def get(payload: None, context: EventContext) -> str:
    return f"{context.app_key} via {context.plugin_key}"
