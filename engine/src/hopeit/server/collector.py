"""0.24 import path of collectors: ``from hopeit.server.collector import Collector`` keeps working.

Collectors live in ``hopeit.app.events`` (``collector_step``, ``Collector``); this module re-exports
them. A collector's sub-steps take ``collector: Collector`` and read the payload and the results of
the other sub-steps with ``await collector["payload"]`` and ``await collector["<step name>"]``.
"""

from typing import Any, Callable, Coroutine

from hopeit.app.context import EventContext
from hopeit.app.events import AsyncCollector, Collector

__all__ = ["AsyncCollector", "Collector", "CollectorStepType"]

#: Signature of a collector sub-step: ``async def step(collector, context) -> result``.
CollectorStepType = Callable[[AsyncCollector, EventContext], Coroutine[Any, Any, Any]]
