"""The step engine: how the steps of an event run over a payload (spec engine §6.2, §6.3).

The next step is chosen by the type of the current value (spec: engine §6.3):

1. the first step from the current position that takes ``None`` when the value is None, or whose
   input type is a concrete class the value is an instance of;
2. otherwise, for a non-None value, the first step taking any ``DataObject``;
3. otherwise the chain ends and the value is a result.

Generator steps (``Spawn[T]``) continue every yielded item on its own. How ``__steps__`` is read and
split in stages lives in ``hopeit.server.stages``, step introspection in ``hopeit.server.step_info``;
their names stay importable from here, as in 0.24.
"""

import asyncio
import typing
from types import CoroutineType
from typing import Any, AsyncIterator, Callable, Dict, List, Optional, Set, Tuple, Union

from hopeit.app.events import SHUFFLE, AsyncCollector, Collector, CollectorStepsDescriptor  # 0.24 names of this module
from hopeit.dataobjects import DataObject, copy_payload
from hopeit.server.coroutines import Resumed
from hopeit.server.stages import (  # these names stay importable from here
    ModuleSteps,
    effective_steps,
    event_stages,
    extract_module_steps,
    split_event_stages,
)
from hopeit.server.step_info import _ANY as _ANY  # re-exported: tests compare input types with it
from hopeit.server.step_info import (  # introspection lives there; these names stay importable from here
    CollectorStepInfo,
    StepInfo,
    _run_collector,
    extract_input_type,
    extract_postprocess_handler,
    extract_preprocess_handler,
    step_info,
)

__all__ = [
    "MAX_STEPS",
    "SHUFFLE",
    "AsyncCollector",
    "Collector",
    "CollectorStepInfo",
    "CollectorStepsDescriptor",
    "ModuleSteps",
    "StepInfo",
    "StepsChain",
    "effective_steps",
    "event_stages",
    "extract_input_type",
    "extract_module_steps",
    "extract_postprocess_handler",
    "extract_preprocess_handler",
    "is_coroutine",
    "last_result",
    "split_event_stages",
    "step_info",
]

#: Longest chain of sequential steps one payload may go through.
MAX_STEPS = 1000


class _Spawning:
    """Where a chain reached a generator step: the value it takes and what goes with it."""

    __slots__ = ("copy", "count", "index", "kwargs", "value")

    def __init__(self, index: int, value: Any, kwargs: Dict[str, Any], copy: bool, count: int) -> None:
        self.index, self.value, self.kwargs, self.copy, self.count = index, value, kwargs, copy, count


class StepsChain:
    """Runs a list of steps over a payload: the one step runner of every event type.

    ``call`` gives the last result and ``run`` every result (generator steps give many). Both go
    through the same loop: plain functions are called straight away, and the first step that has
    to wait (an ``async def`` step, a coroutine handed back by a plain one, a collector, a step
    delay) hands the rest of the chain over to a coroutine. So a chain that never waits runs with
    no coroutine, task or timer at all, and whatever does wait is a coroutine the caller awaits
    under the event's time limit.
    """

    __slots__ = ("_direct", "_last", "_next", "spawns", "step_delay", "steps")

    def __init__(self, steps: List[Tuple[str, StepInfo]], *, step_delay_ms: int = 0) -> None:
        self.steps = steps
        self.spawns = any(info.is_generator for _, info in steps)
        self.step_delay = step_delay_ms / 1000.0
        self._next: Dict[Tuple[int, type], int] = {}
        self._last = len(steps) - 1
        #: by index, the function of a step called without a coroutine of the chain's own (None for a
        #: collector, a generator, or any step when a delay follows each)
        self._direct: Tuple[Optional[Callable[..., Any]], ...] = tuple(
            info.func if not step_delay_ms and not info.is_generator and not isinstance(info, CollectorStepInfo)
            else None
            for _, info in steps
        )

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

    def call(self, payload: Any, context: Any, query_args: Dict[str, Any], owned: bool = False) -> Any:
        """The last result of the chain over ``payload``, or a coroutine giving it once a step had to wait.

        None when no step takes ``payload``. ``query_args`` reach the first step run. ``owned``: the
        caller holds no other reference to ``payload`` (just parsed from a request or a message), so
        the first step gets it without a copy. The caller tells a coroutine with ``is_coroutine``
        and awaits it under the event's time limit.
        """
        index = self._next.get((0, type(payload)))
        if index is None:
            index = self.find_next(0, payload)
        if index < 0:
            return None
        if self.spawns:
            return last_result(self._iterate(index, payload, context, query_args, not owned, 0))
        return self._advance(index, payload, context, query_args, not owned, 0)

    def run(
        self, payload: Any, context: Any, query_args: Dict[str, Any], *, owned: bool = False
    ) -> AsyncIterator[Any]:
        """Every result of the chain over ``payload`` as it completes; nothing when no step takes it."""
        index = self.find_next(0, payload)
        if index < 0:
            return _nothing()
        return self._iterate(index, payload, context, query_args, not owned, 0)

    def _advance(self, index: int, value: Any, context: Any, kwargs: Dict[str, Any], copy: bool, count: int) -> Any:
        """Run steps from ``index`` while they are plain calls; the result, or what is left as a coroutine."""
        direct, last, known = self._direct, self._last, self._next
        step = direct[index]
        while step is not None:
            count += 1
            if count > MAX_STEPS:
                raise _too_many_steps(context)
            if copy:
                value = copy_payload(value)
            value = step(value, context, **kwargs)
            kind = type(value)
            # an async step, or a plain one handing back a coroutine (the set spares the slower check):
            # run it here; most never suspend, and those cost no more than a plain step
            if kind is CoroutineType or (kind not in _NOT_COROUTINES and is_coroutine(value)):
                try:  # step_eagerly, inlined: this runs for every async step
                    yielded = value.send(None)
                except StopIteration as done:
                    value = done.value
                    kind = type(value)
                else:
                    return self._resume(index, Resumed(value, yielded), context, _NO_ARGS, True, count, pending=True)
            if index == last:
                return value
            following = known.get((index + 1, kind))
            index = self.find_next(index + 1, value) if following is None else following
            if index < 0:
                return value
            kwargs, copy = _NO_ARGS, True
            step = direct[index]
        if self.steps[index][1].is_generator:
            return _Spawning(index, value, kwargs, copy, count)
        return self._resume(index, value, context, kwargs, copy, count)

    async def _resume(
        self,
        index: int,
        value: Any,
        context: Any,
        kwargs: Dict[str, Any],
        copy: bool,
        count: int,
        *,
        pending: bool = False,
    ) -> Any:
        """The rest of ``_advance`` once a step waits (``pending``: ``value`` is the rest of step ``index``)."""
        steps, last, delay = self.steps, self._last, self.step_delay
        if pending:
            value = await value
            index = -1 if index == last else self.find_next(index + 1, value)
            if index < 0:
                return value
        while True:
            info = steps[index][1]
            if info.is_generator:
                return _Spawning(index, value, kwargs, copy, count)
            count += 1
            if count > MAX_STEPS:
                raise _too_many_steps(context)
            if copy:
                value = copy_payload(value)
            if isinstance(info, CollectorStepInfo):
                value = await _run_collector(value, context, info=info)
            else:
                value = info.func(value, context, **kwargs)
                if is_coroutine(value):
                    value = await value
            if delay:
                await asyncio.sleep(delay)
            index = -1 if index == last else self.find_next(index + 1, value)
            if index < 0:
                return value
            kwargs, copy = _NO_ARGS, True

    async def _iterate(
        self, index: int, value: Any, context: Any, kwargs: Dict[str, Any], copy: bool, count: int
    ) -> AsyncIterator[Any]:
        """Results from step ``index`` on: the steps up to a generator as in ``call``, then each item on its own."""
        reached = self._advance(index, value, context, kwargs, copy, count)
        if is_coroutine(reached):
            reached = await reached
        if type(reached) is not _Spawning:
            yield reached
            return
        index, count = reached.index, reached.count + 1
        if count > MAX_STEPS:
            raise _too_many_steps(context)
        value = copy_payload(reached.value) if reached.copy else reached.value
        last, delay = self._last, self.step_delay
        async for item in self.steps[index][1].func(value, context, **reached.kwargs):
            if delay:
                await asyncio.sleep(delay)
            following = -1 if index == last else self.find_next(index + 1, item)
            if following < 0:
                yield item  # the usual case: spawned items are the results
                continue
            async for result in self._iterate(following, item, context, _NO_ARGS, True, count):
                yield result


#: keyword arguments of every step after the first (never changed: passed with ``**``)
_NO_ARGS: Dict[str, Any] = {}


def _too_many_steps(context: Any) -> RuntimeError:
    return RuntimeError(f"event {context.event_name} ran more than {MAX_STEPS} steps: check step types")


async def last_result(results: AsyncIterator[Any]) -> Any:
    """The last of ``results`` (None when there is none)."""
    last = None
    async for result in results:
        last = result
    return last


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
