"""Consumes readings from a stream."""

from hopeit.app.context import EventContext

from engine_bench_app import Reading

__steps__ = ["consume"]

COUNT = [0]


def consume(payload: Reading, context: EventContext) -> None:
    COUNT[0] += 1
