"""The same GET event with an ``async def`` step, as most apps write their steps."""

from hopeit.app.context import EventContext

from engine_bench_app import Point

__steps__ = ["answer"]


async def answer(payload: None, context: EventContext) -> Point:
    return Point(id="p", x=1.0, y=2.0)
