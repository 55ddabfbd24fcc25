"""Echo a validated nested body, from an ``async def`` step, described with ``event_api``."""

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

from web_bench_app import Nested

__steps__ = ["echo"]

__api__ = event_api(
    summary="echo a nested body",
    payload=(Nested, "the body"),
    responses={200: (Nested, "the body, as read")},
)


async def echo(payload: Nested, context: EventContext) -> Nested:
    """The body, as read."""
    return payload
