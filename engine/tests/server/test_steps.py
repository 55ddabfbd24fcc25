"""The step engine: introspection, next-step selection, generators and the step cap (spec engine §6.2-6.3)."""

import asyncio
from typing import Any, Dict, List, Union

import pytest
from hopeit.app.events import Spawn
from hopeit.dataobjects import DataObject
from hopeit.server import steps as steps_module
from hopeit.server.steps import (
    MAX_STEPS,
    StepsChain,
    extract_module_steps,
    step_info,
)

from .steps_support import (
    CTX,
    Item,
    Other,
    abc_spawner,
    chain_of,
    module,
    run,
    spawner,
    takes_any_dataobject,
    takes_item,
    takes_none,
    takes_union,
    unannotated,
)


def test_step_info_records_input_and_return_types() -> None:
    """Only the first parameter's annotation matters; ``None`` means no payload; Spawn marks generators."""
    item = step_info(takes_item)
    assert (item.func, item.input_type, item.return_type, item.is_generator) == (takes_item, Item, Other, False)
    assert step_info(takes_none).input_type is None
    assert step_info(takes_any_dataobject).input_type is DataObject
    assert step_info(takes_union).input_type == Union[Other, str]
    assert step_info(spawner).is_generator and step_info(abc_spawner).is_generator
    assert step_info(unannotated).input_type is steps_module._ANY
    assert step_info(lambda: None).input_type is steps_module._ANY


def test_sync_generator_declared_spawn_is_a_type_error() -> None:
    """A ``Spawn`` step must be an async generator."""

    def sync_gen(payload: Item, context: Any) -> Spawn[Item]:  # type: ignore[misc]
        yield payload

    with pytest.raises(TypeError, match=r"returns Spawn.* but is not an async generator"):
        step_info(sync_gen)
    with pytest.raises(TypeError, match="not an async generator"):
        extract_module_steps(module("m", ["sync_gen"], sync_gen=sync_gen))


def test_unresolvable_annotation_falls_back_to_raw_and_is_never_matched() -> None:
    """A forward reference that cannot be resolved is kept as text and no payload matches it."""

    def forward(payload: "Undefined", context: Any) -> str:  # type: ignore[name-defined]  # noqa: F821
        return "x"

    info = step_info(forward)
    assert info.input_type == "Undefined"
    assert StepsChain([("forward", info)]).find_next(0, "Undefined") == -1


# --- next-step selection ----------------------------------------------------------------------------


async def test_concrete_type_is_preferred_over_a_generic_dataobject_step() -> None:
    """Rule 1 (concrete ``isinstance``) is scanned before rule 3 (``DataObject``), whatever the order."""
    chain = chain_of(takes_any_dataobject, takes_item)
    assert chain.find_next(0, Item("a")) == 1
    assert await run(chain, Item("a")) == [Other(name="from a")]


async def test_dataobject_step_takes_any_non_none_payload() -> None:
    """Without a concrete match, the first ``DataObject`` step takes the value (even a plain str)."""
    chain = chain_of(takes_item, takes_any_dataobject)
    assert await run(chain, Other("o")) == ["generic Other"]
    assert await run(chain, "text") == ["generic str"]
    assert chain.find_next(0, None) == -1


async def test_union_inputs_accept_each_member() -> None:
    """A ``Union`` input matches any of its classes."""
    chain = chain_of(takes_union)
    assert await run(chain, "s") == ["union s"]
    assert await run(chain, Other("o")) == ["union Other(name='o')"]
    assert await run(chain, 3) == []


async def test_no_step_accepts_the_payload() -> None:
    """Nothing is emitted when no step accepts the initial payload."""
    assert await run(chain_of(takes_item), "not an item") == []
    assert await run(chain_of(unannotated), "anything") == []
    assert await run(chain_of(takes_item), None) == []


async def test_optional_steps_are_skipped_and_branches_follow_types() -> None:
    """Steps whose type does not match are skipped; returning another type picks another branch."""

    def classify(payload: Item, context: Any) -> Union[Item, str, None]:
        outcomes: Dict[int, Union[Item, str, None]] = {0: payload, 1: f"text {payload.id}", 2: None}
        return outcomes[payload.value]

    def on_item(payload: Item, context: Any) -> str:
        return f"item {payload.id}"

    def on_text(payload: str, context: Any) -> str:
        return f"[{payload}]"

    def on_none(payload: None, context: Any) -> str:
        return "was none"

    chain = chain_of(classify, on_item, on_text, on_none)
    assert await run(chain, Item("a", 0)) == ["[item a]"]
    assert await run(chain, Item("b", 1)) == ["[text b]"]
    assert await run(chain, Item("c", 2)) == ["was none"]


async def test_none_result_ends_the_chain_without_a_none_step() -> None:
    """Returning None with no later ``payload: None`` step ends the chain with result None."""

    def to_none(payload: Item, context: Any) -> None:
        return None

    assert await run(chain_of(to_none, takes_item), Item("a")) == [None]


async def test_start_with_none_payload() -> None:
    """A None payload starts at the first ``payload: None`` step."""
    assert await run(chain_of(takes_item, takes_none, takes_union), None) == ["union from none"]


async def test_query_args_reach_only_the_first_executed_step() -> None:
    """``**query_args`` are passed to the first step run, not to later ones."""
    seen: List[Dict[str, Any]] = []

    def first(payload: None, context: Any, **kwargs: Any) -> Item:
        seen.append(kwargs)
        return Item("a")

    def second(payload: Item, context: Any, **kwargs: Any) -> str:
        seen.append(kwargs)
        return "done"

    assert await run(chain_of(first, second), None, n="2") == ["done"]
    assert seen == [{"n": "2"}, {}, {"n": "2"}, {}]


async def test_steps_get_copies_of_the_payload() -> None:
    """A step changing its payload does not change the caller's object."""

    def mutate(payload: Item, context: Any) -> Item:
        payload.value += 1
        return payload

    original = Item("a", 1)
    assert await run(chain_of(mutate), original) == [Item("a", 2)]
    assert original == Item("a", 1)
    assert chain_of(mutate).call(original, CTX, {}) == Item("a", 2)
    assert original == Item("a", 1)
    owned = Item("b", 1)
    assert chain_of(mutate).call(owned, CTX, {}, owned=True) is owned  # nobody else holds it: no copy
    assert [r async for r in chain_of(mutate).run(owned, CTX, {}, owned=True)] == [owned]
    assert owned == Item("b", 3)


async def test_async_and_sync_steps_mix() -> None:
    """Coroutine results are awaited, plain results used as they are."""

    async def double(payload: int, context: Any) -> int:
        return payload * 2

    def plus_one(payload: int, context: Any) -> str:
        return str(payload + 1)

    assert await run(chain_of(double, plus_one), 4) == ["9"]


async def test_plain_function_handing_back_a_coroutine_is_awaited() -> None:
    """A coroutine a plain function returns is awaited, and the chain goes on with its value."""

    async def later(value: int) -> int:
        await asyncio.sleep(0)
        return value * 10

    def delegate(payload: int, context: Any) -> Any:
        return later(payload)

    chain = chain_of(delegate, increment)
    handed_back = chain.call(4, CTX, {})
    assert steps_module.is_coroutine(handed_back)  # for the caller to await under the event's time limit
    assert await handed_back == 41
    assert [r async for r in chain.run(4, CTX, {})] == [41]
    assert not steps_module.is_coroutine(40) and not steps_module.is_coroutine(None)


async def test_async_steps_that_do_not_suspend_finish_in_call() -> None:
    """An ``async def`` step that never waits runs in ``call`` itself, as a plain step does: no coroutine left."""
    seen: List[Any] = []

    async def double(payload: int, context: Any) -> int:
        seen.append(asyncio.current_task())
        return payload * 2

    def delegate(payload: int, context: Any) -> Any:
        return double(payload, context)

    assert chain_of(increment, double, increment).call(4, CTX, {}) == 11
    assert chain_of(delegate, increment).call(4, CTX, {}) == 9
    assert seen == [asyncio.current_task()] * 2  # run in the caller's task


async def test_async_step_failing_before_it_waits_raises_from_call() -> None:
    """The error of an async step that fails before suspending comes out of ``call``, as a plain step's does."""

    async def refuse(payload: int, context: Any) -> int:
        raise ValueError(f"refused {payload}")

    with pytest.raises(ValueError, match="refused 4"):
        chain_of(refuse, increment).call(4, CTX, {})


async def test_steps_that_wait_hand_the_rest_of_the_chain_to_a_coroutine() -> None:
    """Async steps that suspend, collectors, generators and step delays make ``call`` give a coroutine."""

    async def double(payload: int, context: Any) -> int:
        await asyncio.sleep(0)
        return payload * 2

    async def count_up(payload: int, context: Any) -> Spawn[int]:
        for i in range(payload):
            yield i

    for chain, expected in (
        (chain_of(increment, double, increment), 11),  # plain, async, plain
        (chain_of(increment, step_delay_ms=1), 5),
        (chain_of(count_up, increment), 4),  # the last item's result
    ):
        outcome = chain.call(4, CTX, {})
        assert steps_module.is_coroutine(outcome)
        assert await outcome == expected


async def test_next_step_lookups_are_cached_per_type() -> None:
    """The scan result is remembered per (position, payload type)."""
    chain = chain_of(takes_item, takes_union)
    assert chain.find_next(0, Item("a")) == 0
    assert chain._next[(0, Item)] == 0
    assert chain.find_next(1, "s") == 1 and chain.find_next(1, Item("x")) == -1


# --- generators -------------------------------------------------------------------------------------


async def test_generator_items_continue_independently_and_nest() -> None:
    """Every yielded item runs the remaining steps; nested spawns multiply results."""

    def finish(payload: Item, context: Any) -> str:
        return payload.id

    chain = chain_of(spawner, spawner, finish)
    assert await run(chain, Item("r", 3)) == ["r.1.0", "r.2.0", "r.2.1"]
    assert await run(chain, Item("r", 0)) == []


async def test_generator_step_delay_and_query_args() -> None:
    """Query args reach the generator (first step); ``step_delay`` sleeps after each item."""

    async def produce(payload: None, context: Any, n: str = "1") -> Spawn[int]:
        for i in range(int(n)):
            yield i

    chain = chain_of(produce, step_delay_ms=1)
    assert chain.step_delay == 0.001 and chain.spawns
    assert await run(chain, None, n="3") == [0, 1, 2]


async def test_step_delay_without_generators() -> None:
    """``step_delay`` also applies to plain steps."""
    chain = chain_of(takes_item, step_delay_ms=1)
    assert not chain.spawns
    assert await run(chain, Item("d")) == [Other("from d")]


# --- MAX_STEPS --------------------------------------------------------------------------------------


def increment(payload: int, context: Any) -> int:
    return payload + 1


async def test_max_steps_allows_exactly_max_steps() -> None:
    """A chain of ``MAX_STEPS`` sequential steps completes."""
    assert MAX_STEPS == 1000
    chain = StepsChain([("increment", step_info(increment))] * MAX_STEPS)
    assert await run(chain, 0) == [MAX_STEPS]


async def test_chain_longer_than_max_steps_fails() -> None:
    """One step more than ``MAX_STEPS`` is a RuntimeError naming the event, whatever runs the steps."""
    chain = StepsChain([("increment", step_info(increment))] * (MAX_STEPS + 1))
    with pytest.raises(RuntimeError, match="event test_event ran more than 1000 steps"):
        chain.call(0, CTX, {})

    async def add_one(payload: int, context: Any) -> int:
        return payload + 1

    waiting = StepsChain([("add_one", step_info(add_one))] * (MAX_STEPS + 1))
    with pytest.raises(RuntimeError, match="event test_event ran more than 1000 steps"):
        await waiting.call(0, CTX, {})
    with pytest.raises(RuntimeError, match="ran more than 1000 steps"):
        [r async for r in chain.run(0, CTX, {})]
