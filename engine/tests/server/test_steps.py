"""The step engine: introspection, next-step selection, stages and chains (spec engine §6.2-6.5)."""

import types
from dataclasses import dataclass
from typing import Any, AsyncGenerator, Dict, List, Optional, Union

import pytest
from hopeit.app.config import (
    AppDescriptor,
    EventConnection,
    EventConnectionType,
    EventDescriptor,
    EventType,
    ReadStreamDescriptor,
    StreamQueueStrategy,
    WriteStreamDescriptor,
)
from hopeit.app.context import PreprocessHook
from hopeit.app.events import SHUFFLE, Collector, Spawn, collector_step
from hopeit.dataobjects import DataObject, dataobject
from hopeit.server import steps as steps_module
from hopeit.server.steps import (
    MAX_STEPS,
    CollectorStepInfo,
    StepsChain,
    effective_steps,
    event_stages,
    extract_input_type,
    extract_module_steps,
    extract_postprocess_handler,
    extract_preprocess_handler,
    split_event_stages,
    step_info,
)


@dataobject
@dataclass
class Item:
    id: str
    value: int = 0


@dataobject
@dataclass
class Other:
    name: str


class Ctx:
    """What steps read from a context here."""

    event_name = "test_event"


CTX = Ctx()


def module(name: str, steps: List[Any], **functions: Any) -> types.ModuleType:
    mod = types.ModuleType(name)
    mod.__steps__ = steps  # type: ignore[attr-defined]
    for key, value in functions.items():
        setattr(mod, key, value)
    return mod


def chain_of(*funcs: Any, step_delay_ms: int = 0) -> StepsChain:
    return StepsChain([(f.__name__, step_info(f)) for f in funcs], step_delay_ms=step_delay_ms)


async def run(chain: StepsChain, payload: Any, **query_args: Any) -> List[Any]:
    """Results through both runners, which must agree."""
    streamed = [r async for r in chain.run(payload, CTX, dict(query_args))]
    collected = await chain.run_all(payload, CTX, dict(query_args))
    assert streamed == collected
    return streamed


# --- step introspection ---------------------------------------------------------------------------


def takes_item(payload: Item, context: Any) -> Other:
    return Other(name=f"from {payload.id}")


def takes_none(payload: None, context: Any) -> str:
    return "from none"


def takes_any_dataobject(payload: DataObject, context: Any) -> str:
    return f"generic {type(payload).__name__}"


def takes_union(payload: Union[Other, str], context: Any) -> str:
    return f"union {payload}"


def unannotated(payload, context):  # type: ignore[no-untyped-def]
    return "never"


async def spawner(payload: Item, context: Any) -> Spawn[Item]:
    for i in range(payload.value):
        yield Item(id=f"{payload.id}.{i}", value=i)


async def abc_spawner(payload: Item, context: Any) -> AsyncGenerator[Item, None]:
    yield payload


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


async def test_async_and_sync_steps_mix() -> None:
    """Coroutine results are awaited, plain results used as they are."""

    async def double(payload: int, context: Any) -> int:
        return payload * 2

    def plus_one(payload: int, context: Any) -> str:
        return str(payload + 1)

    assert await run(chain_of(double, plus_one), 4) == ["9"]


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
    """One step more than ``MAX_STEPS`` is a RuntimeError naming the event, with both runners."""
    chain = StepsChain([("increment", step_info(increment))] * (MAX_STEPS + 1))
    with pytest.raises(RuntimeError, match="event test_event ran more than 1000 steps"):
        await chain.run_all(0, CTX, {})
    with pytest.raises(RuntimeError, match="ran more than 1000 steps"):
        [r async for r in chain.run(0, CTX, {})]


# --- module steps -----------------------------------------------------------------------------------


def test_module_without_steps_or_with_missing_step() -> None:
    """``__steps__`` must be a list of functions of the module."""
    with pytest.raises(ImportError, match="event module m must define __steps__"):
        extract_module_steps(types.ModuleType("m"))
    with pytest.raises(ImportError, match="step 'nope' listed in __steps__ not found in module m"):
        extract_module_steps(module("m", ["nope"]))
    with pytest.raises(ImportError, match="step 'value' listed"):
        extract_module_steps(module("m", ["value"], value=3))


def test_shuffle_errors() -> None:
    """SHUFFLE must follow a step: at start or twice in a row is an error."""
    with pytest.raises(ValueError, match="SHUFFLE must follow a step"):
        extract_module_steps(module("m", [SHUFFLE, "takes_item"], takes_item=takes_item))
    with pytest.raises(ValueError, match="SHUFFLE must follow a step"):
        extract_module_steps(
            module("m", ["takes_item", SHUFFLE, SHUFFLE, "takes_union"], takes_item=takes_item, takes_union=takes_union)
        )


async def collector_ok(collector: Collector, context: Any) -> str:
    payload: Item = await collector["payload"]
    return payload.id


def collector_wrong(payload: Item, context: Any) -> str:
    return "x"


def test_collector_validation_errors() -> None:
    """Collector sub-steps must exist and take ``collector: Collector``."""
    missing = collector_step(payload=Item).gather("collector_ok", "absent")
    with pytest.raises(ImportError, match="collector step 'absent' not found in module m"):
        extract_module_steps(module("m", [missing], collector_ok=collector_ok))
    wrong = collector_step(payload=Item).gather("collector_wrong")
    with pytest.raises(TypeError, match="collector step 'collector_wrong' in m must take 'collector: Collector'"):
        extract_module_steps(module("m", [wrong], collector_wrong=collector_wrong))


async def test_collector_step_in_a_chain() -> None:
    """A collector is one step taking its input type and returning the collector to the next step."""

    async def result(collector: Collector, context: Any) -> str:
        collected: str = await collector["collector_ok"]
        return "collected " + collected

    mod = module(
        "m", [collector_step(payload=Item).gather("collector_ok"), "result"], collector_ok=collector_ok, result=result
    )
    extracted = extract_module_steps(mod)
    assert [name for name, _ in extracted] == ["collector@collector_ok", "result"]
    info = extracted[0][1]
    assert isinstance(info, CollectorStepInfo) and info.input_type is Item
    assert info.sub_steps == (("collector_ok", collector_ok),)
    chain = StepsChain(effective_steps("e", extracted))
    assert await run(chain, Item("c")) == ["collected c"]
    assert await run(chain, "not an item") == []


# --- stages -----------------------------------------------------------------------------------------


def staged_module() -> types.ModuleType:
    async def produce(payload: None, context: Any) -> Spawn[Item]:
        yield Item("p")

    def consume(payload: Item, context: Any) -> Other:
        return Other(payload.id)

    def more(payload: Other, context: Any) -> Other:
        return payload

    def last(payload: Other, context: Any) -> str:
        return payload.name

    return module(
        "m",
        ["produce", SHUFFLE, "consume", "more", SHUFFLE, "last"],
        produce=produce,
        consume=consume,
        more=more,
        last=last,
    )


def test_effective_steps_per_stage() -> None:
    """Without ``$step``: up to the first SHUFFLE; with it: from that step to the next SHUFFLE."""
    extracted = extract_module_steps(staged_module())
    assert [n for n, _ in effective_steps("e", extracted)] == ["produce"]
    assert [n for n, _ in effective_steps("e$consume", extracted)] == ["consume", "more"]
    assert [n for n, _ in effective_steps("e$last", extracted)] == ["last"]
    assert [n for n, _ in effective_steps("e$__service__", extracted)] == ["produce"]
    assert effective_steps("e$unknown", extracted) == []
    assert event_stages(extracted) == ["consume", "last"]


def test_split_event_stages_builds_auto_streams() -> None:
    """Stage k writes ``auto_path(app, ver, *event, first step of k)`` (PROPAGATE); stage k+1 reads it."""
    app = AppDescriptor(name="my-app", version="1.0")
    final = WriteStreamDescriptor(name="final.stream")
    connections = [EventConnection(app_connection="c", event="e", type=EventConnectionType.GET)]
    info = EventDescriptor(
        type=EventType.GET,
        route="custom",
        auth=[],
        setting_keys=["k"],
        group="g",
        write_stream=final,
        connections=connections,
        impl="pkg.impl",
        read_stream=None,
    )
    stages = split_event_stages(app, "batch.job", info, extract_module_steps(staged_module()))
    assert list(stages) == ["batch.job", "batch.job$consume", "batch.job$last"]
    first = stages["batch.job"]
    assert first.type is EventType.GET and first.route == "custom" and first.group == "g"
    assert first.write_stream == WriteStreamDescriptor(
        name="my_app.1x0.batch.job.produce", queue_strategy=StreamQueueStrategy.PROPAGATE
    )
    second = stages["batch.job$consume"]
    assert second.type is EventType.STREAM
    assert second.read_stream == ReadStreamDescriptor(
        name="my_app.1x0.batch.job.produce", consumer_group="my_app.1x0.batch.job.consume", queues=["AUTO"]
    )
    assert second.write_stream == WriteStreamDescriptor(
        name="my_app.1x0.batch.job.consume", queue_strategy=StreamQueueStrategy.PROPAGATE
    )
    # synthetic stages keep only type/read/write/connections/impl
    assert second.route is None and second.group == "DEFAULT" and second.setting_keys == []
    assert second.connections == connections and second.impl == "pkg.impl"
    third = stages["batch.job$last"]
    assert third.read_stream is not None and third.read_stream.consumer_group == "my_app.1x0.batch.job.last"
    assert third.write_stream is final


def test_split_event_stages_copies_read_queues() -> None:
    """Later stages read the original read_stream queues."""
    app = AppDescriptor(name="a", version="1")
    info = EventDescriptor(
        type=EventType.STREAM, read_stream=ReadStreamDescriptor(name="in", consumer_group="g", queues=["q1", "AUTO"])
    )
    stages = split_event_stages(app, "e", info, extract_module_steps(staged_module()))
    read = stages["e$consume"].read_stream
    assert read is not None and read.queues == ["q1", "AUTO"]
    assert stages["e"].read_stream is info.read_stream


def test_event_without_shuffle_is_one_stage() -> None:
    """No SHUFFLE: the descriptor itself; a trailing SHUFFLE adds no stage."""
    info = EventDescriptor(type=EventType.GET)
    app = AppDescriptor(name="a", version="1")
    assert split_event_stages(
        app, "e", info, extract_module_steps(module("m", ["takes_item"], takes_item=takes_item))
    ) == {"e": info}
    trailing = extract_module_steps(module("m", ["takes_item", SHUFFLE], takes_item=takes_item))
    assert split_event_stages(app, "e", info, trailing) == {"e": info}
    assert split_event_stages(app, "e", info, []) == {"e": info}


# --- input types and hooks --------------------------------------------------------------------------


def test_input_type_from_preprocess_or_first_step() -> None:
    """``__preprocess__``'s first parameter wins; else the first step's; unannotated or no steps: None."""

    async def __preprocess__(payload: Optional[Item], context: Any, request: PreprocessHook) -> Item:
        return Item("p")

    def __postprocess__(payload: str, context: Any, response: Any) -> str:
        return payload

    hooked = module(
        "m", ["takes_item"], takes_item=takes_item, __preprocess__=__preprocess__, __postprocess__=__postprocess__
    )
    steps = effective_steps("e", extract_module_steps(hooked))
    assert extract_input_type(steps, hooked) == Optional[Item]
    assert extract_input_type(steps) is Item
    pre, post = extract_preprocess_handler(hooked), extract_postprocess_handler(hooked)
    assert pre is not None and pre.func is __preprocess__
    assert post is not None and post.input_type is str
    plain = module("m", ["unannotated"], unannotated=unannotated)
    assert extract_input_type(effective_steps("e", extract_module_steps(plain)), plain) is None
    assert extract_preprocess_handler(plain) is None and extract_postprocess_handler(plain) is None
    assert extract_input_type([], plain) is None
