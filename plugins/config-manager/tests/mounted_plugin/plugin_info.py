"""GET (OnApp): the app this plugin event runs for."""

from hopeit.app.context import EventContext

__steps__ = ["info"]


def info(payload: None, context: EventContext) -> str:
    return context.app_key
