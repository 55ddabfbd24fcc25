"""Mistakes in events' steps that a server refuses at start, instead of failing later or answering ``null``.

- A step without type annotations: the engine chains steps by the type each one returns, so a step
  that does not say what it returns ends the chain with nothing (0.24 answered ``null`` with 200),
  and one that does not say what it takes accepts anything.
- A STREAM event (SHUFFLE stages included) whose steps take no ``@dataobject``: nothing can be read
  from a stream into it. Its read loop used to fail only once started, in a task whose error reached
  stderr as ``Task exception was never retrieved``, while its management route answered 200.

``event_step_problems`` lists them for an app engine; ``hopeit_server run`` refuses to start with
the list (``hopeit.web.server``). Apps run by the test kit are not checked: tests of odd apps stay
possible.
"""

import inspect
from typing import Any, Callable, List

from hopeit.app.config import EventType
from hopeit.server.engine import AppEngine
from hopeit.server.step_info import CollectorStepInfo

__all__ = ["event_step_problems"]


def _missing_annotations(func: Callable[..., Any]) -> List[str]:
    """What of ``func``'s signature has no annotation: its payload parameter and its return type."""
    missing: List[str] = []
    params = list(inspect.signature(func).parameters.values())
    if params and params[0].annotation is inspect.Parameter.empty:
        missing.append(f"the type of '{params[0].name}'")
    if "return" not in getattr(func, "__annotations__", {}):
        missing.append("the return type")
    return missing


def event_step_problems(engine: AppEngine) -> List[str]:
    """``<app_key> <event>: <problem and what to do>`` for each step mistake of the engine's events."""
    problems: List[str] = []
    for event_name, descriptor in engine.effective_events.items():
        where = f"{engine.app_key} {event_name}"
        for step_name, step in engine.loaded_event(event_name).chain.steps:
            if isinstance(step, CollectorStepInfo):
                continue  # its sub-steps take a Collector, checked when it was built
            missing = _missing_annotations(step.func)
            if missing:
                problems.append(
                    f"{where}: step '{step_name}' does not annotate {' and '.join(missing)}: steps are chained by "
                    f"their types, e.g. def {step_name}(payload: MyData, context: EventContext) -> MyResult"
                )
        if descriptor.type == EventType.STREAM:
            from hopeit.server.stream_loop import stream_datatypes  # loaded by apps with STREAM events only

            try:
                stream_datatypes(engine, event_name)
            except (NotImplementedError, ImportError) as exc:
                problems.append(f"{where}: {exc}")
    return problems
