"""STREAM event whose only step takes a str: nothing can be read from a stream."""

from hopeit.app.context import EventContext

__steps__ = ["handle"]


def handle(payload: str, context: EventContext) -> str:
    return payload
