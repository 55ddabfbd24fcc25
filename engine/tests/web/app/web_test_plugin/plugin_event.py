"""OnApp GET event: says which app and plugin ran it."""

from hopeit.app.context import EventContext

__steps__ = ["who"]


def who(payload: None, context: EventContext) -> str:
    return f"{context.app_key}|{context.plugin_key}|{context.event_name}|{context.track_ids.get('event.plugin')}"
