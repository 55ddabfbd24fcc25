"""Step markers apps use in event modules: ``Spawn``, ``SHUFFLE``, collectors, ``service_running``.

``EventPayloadType`` (the type variable of payloads) is importable from here too, as in 0.24.
"""

from typing import AsyncGenerator, TypeVar

from hopeit.app._collector import AsyncCollector, CollectorStepsDescriptor, collector_step
from hopeit.app.context import EventContext
from hopeit.app.running import is_running
from hopeit.dataobjects import EventPayloadType

__all__ = [
    "SHUFFLE",
    "AsyncCollector",
    "Collector",
    "CollectorStepsDescriptor",
    "EventPayloadType",
    "Spawn",
    "collector_step",
    "service_running",
]

_T = TypeVar("_T")

#: Return annotation of a generator step: every yielded item continues through the next steps.
Spawn = AsyncGenerator[_T, None]

#: Marker in ``__steps__`` that splits an event into stages joined by an automatic stream.
SHUFFLE = "__shuffle__"

#: Type of the payload a step after a collector receives.
Collector = AsyncCollector


def service_running(context: EventContext) -> bool:
    """True while the SERVICE (or STREAM) event of ``context`` has not been asked to stop."""
    return is_running(context.app_key, context.event_name)
