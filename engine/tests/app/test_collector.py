"""Collector steps (spec engine §6.5)."""

import asyncio
from typing import Any, List

import pytest
from hopeit.app._collector import AsyncCollector, CollectorStepsDescriptor, collector_step
from hopeit.app.events import Collector


def test_descriptor_names() -> None:
    """``collector@<first step>``; input type kept."""
    descriptor = collector_step(payload=dict).gather("a", "b")
    assert isinstance(descriptor, CollectorStepsDescriptor)
    assert descriptor.input_type is dict and descriptor.steps == ["a", "b"] and descriptor.name == "collector@a"
    assert collector_step(payload=str).name == "collector"
    assert Collector is AsyncCollector


def test_collector_is_an_unsafe_dataobject() -> None:
    """Never copied nor serialized between steps."""
    assert AsyncCollector.__data_object__ == {"unsafe": True, "validate": False, "schema": False}


async def test_sub_steps_run_concurrently_and_get_copies() -> None:
    """Sub-steps wait for each other's results; payload and results come back as copies."""
    order: List[str] = []

    async def first(collector: Collector, context: Any) -> List[str]:
        order.append("first-start")
        await asyncio.sleep(0.01)
        payload = await collector["payload"]
        payload.append("mutated")
        order.append("first-end")
        return ["first", context]

    async def second(collector: Collector, context: Any) -> str:
        order.append("second-start")
        result = await collector["first"]
        result.append("mutated")
        return f"second after {result[0]}"

    original = ["input"]
    collector = await AsyncCollector().input(original).run([("second", second), ("first", first)], "ctx").gather()
    assert order[:2] == ["second-start", "first-start"]
    assert await collector["first"] == ["first", "ctx"]
    assert await collector["second"] == "second after first"
    assert await collector["payload"] == ["input"] and original == ["input"]


async def test_unknown_step_is_a_key_error_listing_steps() -> None:
    """Asking for a step that is not part of the collector names the known ones."""
    collector = AsyncCollector().input(1).run([("a", lambda c, ctx: None)], None)
    with pytest.raises(KeyError, match=r"collector has no step 'zzz': steps are \['a'\]"):
        await collector["zzz"]


async def test_failing_sub_step_propagates_and_releases_waiters() -> None:
    """An error in a sub-step propagates; steps waiting for it are released."""

    async def broken(collector: Collector, context: Any) -> int:
        raise ValueError("broken step")

    async def waiting(collector: Collector, context: Any) -> Any:
        return await collector["broken"]

    collector = AsyncCollector().input(1).run([("broken", broken), ("waiting", waiting)], None)
    with pytest.raises(ValueError, match="broken step"):
        await collector.gather()
    assert await collector["broken"] is None
