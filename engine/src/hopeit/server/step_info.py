"""Introspection of step functions: the type a step takes and returns, and whether it spawns items.

Collector steps (``collect(...)`` in ``__steps__``) become one step running their sub-steps
concurrently; ``__preprocess__`` and ``__postprocess__`` are introspected the same way.
"""

import inspect
import typing
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable, Dict, List, Optional, Tuple

from hopeit.app.events import Collector, CollectorStepsDescriptor

__all__ = [
    "CollectorStepInfo",
    "StepInfo",
    "extract_input_type",
    "extract_postprocess_handler",
    "extract_preprocess_handler",
    "step_info",
]

_ANY = object()  # marks a step whose first parameter has no usable annotation


@dataclass(frozen=True)
class StepInfo:
    """A step function, the type it accepts, the type it returns, and whether it spawns items."""

    func: Callable[..., Any]
    input_type: Any
    return_type: Any
    is_generator: bool


@dataclass(frozen=True)
class CollectorStepInfo(StepInfo):
    """A collector step: sub-steps run concurrently over the same payload."""

    sub_steps: Tuple[Tuple[str, Callable[..., Any]], ...] = ()


def _hints(func: Callable[..., Any]) -> Dict[str, Any]:
    try:
        return typing.get_type_hints(func)
    except Exception:  # noqa: BLE001 - unresolvable annotations fall back to the raw ones
        return dict(getattr(func, "__annotations__", {}))


def _is_spawn(return_type: Any) -> bool:
    origin = typing.get_origin(return_type)
    return origin is not None and getattr(origin, "__name__", "") == "AsyncGenerator"


def step_info(func: Callable[..., Any]) -> StepInfo:
    """Introspect a step function: its first parameter type, return type and generator kind."""
    params = list(inspect.signature(func).parameters.values())
    hints = _hints(func)
    input_type: Any = _ANY
    if params and params[0].annotation is not inspect.Parameter.empty:
        input_type = hints.get(params[0].name, params[0].annotation)
        if input_type is type(None):
            input_type = None
    return_type = hints.get("return", None)
    is_generator = _is_spawn(return_type)
    if is_generator and not inspect.isasyncgenfunction(func):
        raise TypeError(f"step {func.__qualname__} returns Spawn[...] but is not an async generator (use yield)")
    return StepInfo(func=func, input_type=input_type, return_type=return_type, is_generator=is_generator)


def _collector_info(module: ModuleType, descriptor: CollectorStepsDescriptor) -> CollectorStepInfo:
    sub_steps = []
    for name in descriptor.steps:
        func = getattr(module, name, None)
        if func is None:
            raise ImportError(f"collector step '{name}' not found in module {module.__name__}")
        info = step_info(func)
        if info.input_type is not Collector:
            raise TypeError(
                f"collector step '{name}' in {module.__name__} must take 'collector: Collector' as first parameter"
            )
        sub_steps.append((name, func))
    return CollectorStepInfo(
        func=_run_collector,
        input_type=descriptor.input_type,
        return_type=Collector,
        is_generator=False,
        sub_steps=tuple(sub_steps),
    )


async def _run_collector(payload: Any, context: Any, *, info: CollectorStepInfo) -> Collector:
    collector = Collector().input(payload).run(list(info.sub_steps), context)
    return await collector.gather()


def extract_input_type(steps: List[Tuple[str, StepInfo]], module: Optional[ModuleType] = None) -> Any:
    """Type of the payload an event accepts: ``__preprocess__``'s first parameter, else the first step's."""
    pre = extract_preprocess_handler(module) if module is not None else None
    if pre is not None:
        return pre.input_type
    if not steps:
        return None
    input_type = steps[0][1].input_type
    return None if input_type is _ANY else input_type


def extract_preprocess_handler(module: ModuleType) -> Optional[StepInfo]:
    """``__preprocess__`` of a module, introspected, or None."""
    func = getattr(module, "__preprocess__", None)
    return step_info(func) if func is not None else None


def extract_postprocess_handler(module: ModuleType) -> Optional[StepInfo]:
    """``__postprocess__`` of a module, introspected, or None."""
    func = getattr(module, "__postprocess__", None)
    return step_info(func) if func is not None else None
