"""A small data object, from an ``async def`` step, described with ``event_api``."""

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

from web_bench_app import Small

__steps__ = ["small"]

__api__ = event_api(summary="get a small data object", responses={200: (Small, "the object")})


async def small(payload: None, context: EventContext) -> Small:
    """The answer."""
    return Small(id="item-1", count=42, label="a small data object")
