"""SETUP event that fails: start-up must stop."""

from hopeit.app.context import EventContext

__steps__ = ["setup"]


def setup(payload: None, context: EventContext) -> str:
    raise RuntimeError("setup failed on purpose")
