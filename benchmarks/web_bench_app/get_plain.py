"""A small data object, from a plain ``def`` step and no ``__api__``."""

from hopeit.app.context import EventContext

from web_bench_app import Small

__steps__ = ["small"]


def small(payload: None, context: EventContext) -> Small:
    """The answer."""
    return Small(id="item-1", count=42, label="a small data object")
