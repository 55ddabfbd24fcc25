"""What an event module's ``__steps__`` lists, and how ``SHUFFLE`` splits it in stages (spec engine §6.4).

``__steps__ = ['produce', SHUFFLE, 'consume', 'more']`` makes two stages: the event itself runs
``produce`` and publishes to an automatic stream; ``<event>$consume``, a STREAM event, reads that
stream and runs ``consume`` and ``more``. The names of stages come from their first step.
"""

from types import ModuleType
from typing import Dict, List, Optional, Tuple

from hopeit.app.config import (
    AppDescriptor,
    EventDescriptor,
    EventType,
    ReadStreamDescriptor,
    StreamQueue,
    StreamQueueStrategy,
    WriteStreamDescriptor,
)
from hopeit.app.events import SHUFFLE, CollectorStepsDescriptor
from hopeit.server.names import auto_path
from hopeit.server.step_info import StepInfo, _collector_info, step_info

__all__ = [
    "ModuleSteps",
    "effective_steps",
    "event_stages",
    "extract_module_steps",
    "split_event_stages",
]

#: Steps of a module in ``__steps__`` order, ``(SHUFFLE, None)`` between stages.
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
