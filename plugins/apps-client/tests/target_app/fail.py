"""GET: always fails with 500."""

from hopeit.app.context import EventContext

__steps__ = ["explode"]


def explode(payload: None, context: EventContext) -> str:
    raise RuntimeError("target failed on purpose")
