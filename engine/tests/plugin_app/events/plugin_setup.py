"""Standalone SETUP of the plugin: runs once when the plugin app starts."""

from typing import List

from hopeit.app.context import EventContext

__steps__ = ["setup"]

CALLS: List[str] = []


def setup(payload: None, context: EventContext) -> str:
    CALLS.append(context.app_key)
    return "plugin ready"
