"""GET: writes nothing and calls nothing, so its context never makes trace ids."""

from hopeit.app.context import EventContext

__steps__ = ["answer"]


def answer(payload: None, context: EventContext) -> str:
    return "ok"
