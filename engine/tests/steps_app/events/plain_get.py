"""GET event in group 'optional', without hooks."""

from hopeit.app.context import EventContext

__steps__ = ["echo"]


def echo(payload: str, context: EventContext) -> str:
    return f"echo {payload}"
