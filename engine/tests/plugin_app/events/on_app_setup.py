"""OnApp SETUP of the plugin: runs once for every app that lists the plugin."""

from typing import Any, List

from hopeit.app.context import EventContext

__steps__ = ["setup"]

CALLS: List[Any] = []


def setup(payload: None, context: EventContext) -> str:
    CALLS.append(
        (
            context.app_key,
            context.plugin_key,
            context.event_name,
            context.track_ids.get("event.plugin"),
            context.env["shared"]["origin"],
            context.env["plugin"]["origin"],
        )
    )
    return "on app ready"
