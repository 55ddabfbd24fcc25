"""Publishes n readings to a stream."""

from hopeit.app.context import EventContext
from hopeit.app.events import Spawn

from engine_bench_app import Reading

__steps__ = ["produce"]


async def produce(payload: None, context: EventContext, n: str = "1000") -> Spawn[Reading]:
    for i in range(int(n)):
        yield Reading(id=str(i), sensor="s-1", value=i * 0.5, unit="C", tags=["bench", "a"])
