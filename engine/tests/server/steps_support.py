"""Payloads, steps and builders shared by the step engine tests."""

import types
from dataclasses import dataclass
from typing import Any, AsyncGenerator, List, Union

from hopeit.app.events import Spawn
from hopeit.dataobjects import DataObject, dataobject
from hopeit.server.steps import (
    StepsChain,
    is_coroutine,
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


async def last_of(chain: StepsChain, payload: Any, **query_args: Any) -> Any:
    """What ``chain.call`` gives, awaited when the chain handed back a coroutine."""
    outcome = chain.call(payload, CTX, dict(query_args))
    return (await outcome) if is_coroutine(outcome) else outcome


async def run(chain: StepsChain, payload: Any, **query_args: Any) -> List[Any]:
    """Every result (``chain.run``); ``chain.call`` must give the last of them (None for none)."""
    streamed = [r async for r in chain.run(payload, CTX, dict(query_args))]
    assert await last_of(chain, payload, **query_args) == (streamed[-1] if streamed else None)
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
