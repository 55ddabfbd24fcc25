"""A STREAM event whose step takes a str: nothing can be read from a stream into it."""

from hopeit.app.context import EventContext

__steps__ = ["handle"]


def handle(payload: str, context: EventContext) -> str:
    return payload
