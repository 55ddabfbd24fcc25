"""Collector: sub-steps run concurrently and read each other's results."""

from hopeit.app.context import EventContext
from hopeit.app.events import Collector, collector_step

from mock_app import MockData, MockResult

__steps__ = [collector_step(payload=MockData).gather("step_a", "step_b", "step_c"), "result"]


async def step_a(collector: Collector, context: EventContext) -> str:
    payload: MockData = await collector["payload"]
    return f"{payload.value}-a"


async def step_b(collector: Collector, context: EventContext) -> str:
    a: str = await collector["step_a"]
    return a + "-b"


async def step_c(collector: Collector, context: EventContext) -> int:
    payload = await collector["payload"]
    return len(payload.value)


async def result(collector: Collector, context: EventContext) -> MockResult:
    payload = await collector["payload"]
    return MockResult(id=payload.id, processed=await collector["step_b"], count=await collector["step_c"])
