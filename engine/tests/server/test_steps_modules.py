"""Step engine over modules: __steps__, SHUFFLE stages, collectors, input types and hooks (spec engine §6.4-6.5)."""

import types
from typing import Any, Optional

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
from hopeit.server.steps import (
    CollectorStepInfo,
    StepsChain,
    effective_steps,
    event_stages,
    extract_input_type,
    extract_module_steps,
    extract_postprocess_handler,
    extract_preprocess_handler,
    split_event_stages,
)

from .steps_support import (
    Item,
    Other,
    module,
    run,
    takes_item,
    takes_union,
    unannotated,
)

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
