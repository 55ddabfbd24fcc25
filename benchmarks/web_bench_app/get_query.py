"""A small data object named by a query argument, from an ``async def`` step, described with ``event_api``."""

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

from web_bench_app import Small

__steps__ = ["small"]

__api__ = event_api(
    summary="get a small data object by id",
    query_args=[("item_id", str, "id of the object")],
    responses={200: (Small, "the object")},
)


async def small(payload: None, context: EventContext, item_id: str) -> Small:
    """The answer, with the id asked for."""
    return Small(id=item_id, count=42, label="a small data object")
