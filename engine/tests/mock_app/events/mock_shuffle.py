"""SHUFFLE: the second stage runs as a STREAM event fed by an automatic stream."""

from hopeit.app.context import EventContext
from hopeit.app.events import SHUFFLE, Spawn

from mock_app import MockData, MockResult

__steps__ = ["produce", SHUFFLE, "consume", "finish"]


async def produce(payload: None, context: EventContext, n: str = "3") -> Spawn[MockData]:
    for i in range(int(n)):
        yield MockData(id=str(i), value="x" * i)


def consume(payload: MockData, context: EventContext) -> MockResult:
    return MockResult(id=payload.id, processed=payload.value, count=len(payload.value))


def finish(payload: MockResult, context: EventContext) -> MockResult:
    payload.processed = f"stage2:{payload.processed}"
    return payload
