"""The step engine: how ``__steps__`` of an event module are found, split in stages and run.

The next step is chosen by the type of the current value (spec: engine §6.3):

1. the first step from the current position that takes ``None`` when the value is None, or whose
   input type is a concrete class the value is an instance of;
2. otherwise, for a non-None value, the first step taking any ``DataObject``;
3. otherwise the chain ends and the value is a result.

Generator steps (``Spawn[T]``) continue every yielded item on its own. ``SHUFFLE`` splits the steps
in stages, each stage after the first running as a STREAM event fed by an automatic stream.
"""

import asyncio
import inspect
import typing
from types import ModuleType
from typing import Any, AsyncIterator, Dict, List, Optional, Set, Tuple, Union

from hopeit.app._collector import CollectorStepsDescriptor
from hopeit.app.config import (
    AppDescriptor,
    EventDescriptor,
    EventType,
    ReadStreamDescriptor,
    StreamQueue,
    StreamQueueStrategy,
    WriteStreamDescriptor,
)
from hopeit.app.events import SHUFFLE
from hopeit.dataobjects import DataObject, copy_payload
from hopeit.server.names import auto_path
from hopeit.server.step_info import _ANY as _ANY  # re-exported: tests compare input types with it
from hopeit.server.step_info import (  # introspection lives there; these names stay importable from here
    CollectorStepInfo,
    StepInfo,
    _collector_info,
    _run_collector,
    extract_input_type,
    extract_postprocess_handler,
    extract_preprocess_handler,
    step_info,
)

__all__ = [
    "MAX_STEPS",
    "CollectorStepInfo",
    "StepInfo",
    "StepsChain",
    "effective_steps",
    "event_stages",
    "extract_input_type",
    "extract_module_steps",
    "extract_postprocess_handler",
    "extract_preprocess_handler",
    "is_coroutine",
    "split_event_stages",
    "step_info",
]

#: Longest chain of sequential steps one payload may go through.
MAX_STEPS = 1000

ModuleSteps = List[Tuple[str, Optional[StepInfo]]]


def extract_module_steps(module: ModuleType) -> ModuleSteps:
    """Steps of a module in ``__steps__`` order; ``(SHUFFLE, None)`` marks stage boundaries."""
    names = getattr(module, "__steps__", None)
    if not isinstance(names, list):
        raise ImportError(f"event module {module.__name__} must define __steps__ = [...step names...]")
    steps: ModuleSteps = []
    for entry in names:
        if entry == SHUFFLE:
            if not steps or steps[-1][0] == SHUFFLE:
                raise ValueError(f"{module.__name__}: SHUFFLE must follow a step (found at start or twice in a row)")
            steps.append((SHUFFLE, None))
        elif isinstance(entry, CollectorStepsDescriptor):
            steps.append((entry.name, _collector_info(module, entry)))
        else:
            func = getattr(module, entry, None)
            if func is None or not callable(func):
                raise ImportError(f"step '{entry}' listed in __steps__ not found in module {module.__name__}")
            steps.append((entry, step_info(func)))
    return steps


def _stage_of(event_name: str) -> Optional[str]:
    _, sep, stage = event_name.partition("$")
    return stage if sep and not stage.startswith("_") else None


def effective_steps(event_name: str, module_steps: ModuleSteps) -> List[Tuple[str, StepInfo]]:
    """Steps run by ``event_name``: up to the first SHUFFLE, or from ``$<step>`` to the next SHUFFLE."""
    stage = _stage_of(event_name)
    result: List[Tuple[str, StepInfo]] = []
    started = stage is None
    for name, info in module_steps:
        if not started:
            started = name == stage
        if not started:
            continue
        if info is None:
            break
        result.append((name, info))
    return result


def event_stages(module_steps: ModuleSteps) -> List[str]:
    """First step name of each stage after the first: ``['consume']`` for ``[a, SHUFFLE, consume]``."""
    return [
        module_steps[i + 1][0]
        for i, (name, _) in enumerate(module_steps)
        if name == SHUFFLE and i + 1 < len(module_steps)
    ]


def split_event_stages(
    app: AppDescriptor, event_name: str, event_info: EventDescriptor, module_steps: ModuleSteps
) -> Dict[str, EventDescriptor]:
    """Descriptors of an event and its SHUFFLE stages, joined by automatic streams."""
    first_steps = [module_steps[0][0], *event_stages(module_steps)] if module_steps else []
    if len(first_steps) <= 1:
        return {event_name: event_info}
    event_parts = event_name.split(".")
    queues = event_info.read_stream.queues if event_info.read_stream else StreamQueue.default_queues()
    result: Dict[str, EventDescriptor] = {}
    for k, stage in enumerate(first_steps):
        name = event_name if k == 0 else f"{event_name}${stage}"
        if k + 1 < len(first_steps):
            write: Optional[WriteStreamDescriptor] = WriteStreamDescriptor(
                name=auto_path(app.name, app.version, *event_parts, stage),
                queue_strategy=StreamQueueStrategy.PROPAGATE,
            )
        else:
            write = event_info.write_stream
        if k == 0:
            descriptor = EventDescriptor(**{**vars(event_info), "write_stream": write})
        else:
            descriptor = EventDescriptor(
                type=EventType.STREAM,
                read_stream=ReadStreamDescriptor(
                    name=auto_path(app.name, app.version, *event_parts, first_steps[k - 1]),
                    consumer_group=auto_path(app.name, app.version, *event_parts, stage),
                    queues=list(queues),
                ),
                connections=event_info.connections,
                impl=event_info.impl,
                write_stream=write,
            )
        result[name] = descriptor
    return result


class StepsChain:
    """Runs a list of steps over a payload, yielding every final result."""

    __slots__ = ("_next", "never_awaits", "single", "spawns", "step_delay", "steps")

    def __init__(self, steps: List[Tuple[str, StepInfo]], *, step_delay_ms: int = 0) -> None:
        self.steps = steps
        self.spawns = any(info.is_generator for _, info in steps)
        #: only plain functions and no delays: the chain cannot yield to the loop, so no timer can fire
        self.never_awaits = not step_delay_ms and all(
            not isinstance(info, CollectorStepInfo) and not inspect.iscoroutinefunction(info.func)
            and not inspect.isasyncgenfunction(info.func)
            for _, info in steps
        )
        self.step_delay = step_delay_ms / 1000.0
        self._next: Dict[Tuple[int, type], int] = {}
        #: one plain step: ``call_single`` runs it without a coroutine of its own
        self.single = len(steps) == 1 and self.never_awaits and not self.spawns

    def find_next(self, start: int, payload: Any) -> int:
        """Index of the step that takes ``payload`` scanning from ``start``, or -1 when the chain ends."""
        key = (start, type(payload))
        found = self._next.get(key)
        if found is None:
            found = self._next[key] = self._scan(start, payload)
        return found

    def _scan(self, start: int, payload: Any) -> int:
        steps = self.steps
        for i in range(start, len(steps)):
            input_type = steps[i][1].input_type
            if payload is None:
                if input_type is None:
                    return i
            elif input_type is not DataObject and input_type is not _ANY and input_type is not None:
                if isinstance(input_type, type) and isinstance(payload, input_type):
                    return i
                if _matches_union(input_type, payload):
                    return i
        if payload is not None:
            for i in range(start, len(steps)):
                if steps[i][1].input_type is DataObject:
                    return i
        return -1

    def call_single(self, payload: Any, context: Any, query_args: Dict[str, Any], *, owned: bool = False) -> Any:
        """The last result ``run_all`` gives for a ``single`` chain, as a value (``owned`` as there).

        ``None`` when the step does not take ``payload``. A plain function may still hand back a
        coroutine: the caller awaits it (``is_coroutine``).
        """
        if self.find_next(0, payload) < 0:
            return None
        return self.steps[0][1].func(payload if owned else copy_payload(payload), context, **query_args)

    def run(self, payload: Any, context: Any, query_args: Dict[str, Any]) -> AsyncIterator[Any]:
        """Run the chain from the first step that accepts ``payload``; nothing is yielded if none does."""
        if self.find_next(0, payload) < 0:
            return _nothing()
        return self._run_from(0, payload, context, query_args)

    async def run_all(
        self, payload: Any, context: Any, query_args: Dict[str, Any], *, owned: bool = False
    ) -> List[Any]:
        """Every result of the chain as a list (without async generators when no step spawns).

        ``owned``: the caller holds no other reference to ``payload`` (just parsed from a request or a
        message), so the first step gets it without a copy.
        """
        if self.spawns:
            return [result async for result in self.run(payload, context, query_args)]
        index = self.find_next(0, payload)
        if index < 0:
            return []
        value, kwargs, copy = payload, query_args, not owned
        last = len(self.steps) - 1  # nothing can follow the last step: no need to look
        if self.never_awaits:
            # plain functions, no collector, no delay: call them here rather than through _call
            for _ in range(MAX_STEPS):
                if copy:
                    value = copy_payload(value)
                value = self.steps[index][1].func(value, context, **kwargs)
                if is_coroutine(value):  # a plain function may still hand back a coroutine
                    value = await value
                kwargs, copy = {}, True
                index = -1 if index == last else self.find_next(index + 1, value)
                if index < 0:
                    return [value]
        else:
            for _ in range(MAX_STEPS):
                value = await self._call(self.steps[index][1], value, context, kwargs, copy)
                kwargs, copy = {}, True
                index = -1 if index == last else self.find_next(index + 1, value)
                if index < 0:
                    return [value]
        raise RuntimeError(f"event {context.event_name} ran more than {MAX_STEPS} steps: check step types")

    async def _call(
        self, info: StepInfo, value: Any, context: Any, kwargs: Dict[str, Any], copy: bool = True
    ) -> Any:
        if copy:
            value = copy_payload(value)
        if isinstance(info, CollectorStepInfo):
            value = await _run_collector(value, context, info=info)
        else:
            value = info.func(value, context, **kwargs)
            if is_coroutine(value):
                value = await value
        if self.step_delay:
            await asyncio.sleep(self.step_delay)
        return value

    async def _run_from(self, start: int, payload: Any, context: Any, query_args: Dict[str, Any]) -> AsyncIterator[Any]:
        position, value, count = start, payload, 0
        kwargs = query_args
        while True:
            index = self.find_next(position, value)
            if index < 0:
                yield value
                return
            count += 1
            if count > MAX_STEPS:
                raise RuntimeError(f"event {context.event_name} ran more than {MAX_STEPS} steps: check step types")
            info = self.steps[index][1]
            if info.is_generator:
                async for item in info.func(copy_payload(value), context, **kwargs):
                    if self.step_delay:
                        await asyncio.sleep(self.step_delay)
                    if self.find_next(index + 1, item) < 0:
                        yield item  # the usual case: spawned items are the results
                        continue
                    async for result in self._run_from(index + 1, item, context, {}):
                        yield result
                return
            value = await self._call(info, value, context, kwargs)
            kwargs = {}
            position = index + 1


async def _nothing() -> AsyncIterator[Any]:
    return
    yield  # an async generator that yields nothing


#: types of step results known not to be coroutines: asyncio.iscoroutine is slow on those (an ABC check)
_NOT_COROUTINES: Set[type] = set()


def is_coroutine(value: Any) -> bool:
    """True for a coroutine (results of types seen not to be coroutines are remembered)."""
    kind = type(value)
    if kind in _NOT_COROUTINES:
        return False
    if asyncio.iscoroutine(value):
        return True
    if len(_NOT_COROUTINES) < 1024:
        _NOT_COROUTINES.add(kind)
    return False


def _matches_union(input_type: Any, payload: Any) -> bool:
    if typing.get_origin(input_type) is not Union:
        return False
    return any(isinstance(payload, arg) for arg in typing.get_args(input_type) if isinstance(arg, type))
