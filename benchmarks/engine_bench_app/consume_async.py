"""Consumes readings from a stream with an ``async def`` step, as most apps write their steps."""

from hopeit.app.context import EventContext

from engine_bench_app import Reading

__steps__ = ["consume"]

COUNT = [0]


async def consume(payload: Reading, context: EventContext) -> None:
    COUNT[0] += 1
