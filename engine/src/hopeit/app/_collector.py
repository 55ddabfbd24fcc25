"""Collector steps: run several sub-steps concurrently over one payload and gather their results."""

import asyncio
from typing import Any, Callable, Dict, List, Optional, Tuple, Type

from hopeit.dataobjects import copy_payload

__all__ = ["AsyncCollector", "CollectorStepsDescriptor", "collector_step"]


class CollectorStepsDescriptor:
    """Placeholder in ``__steps__`` for a collector; ``.gather('a', 'b')`` names its sub-steps."""

    def __init__(self, input_type: Type[Any]) -> None:
        self.input_type = input_type
        self.steps: List[str] = []

    def gather(self, *steps: str) -> "CollectorStepsDescriptor":
        """Sub-steps to run concurrently; each is ``async def f(collector, context)``."""
        self.steps = list(steps)
        return self

    @property
    def name(self) -> str:
        """Step name used in logs and stage names: ``collector@<first sub-step>``."""
        return f"collector@{self.steps[0]}" if self.steps else "collector"


def collector_step(payload: Type[Any]) -> CollectorStepsDescriptor:
    """Declare a collector taking ``payload`` in ``__steps__``."""
    return CollectorStepsDescriptor(input_type=payload)


class AsyncCollector:
    """Results of the sub-steps of a collector: ``await collector['payload']`` or ``['<step>']``."""

    # travels between steps like an unsafe data object: never copied, never serialized
    __data_object__ = {"unsafe": True, "validate": False, "schema": False}

    def __init__(self) -> None:
        self.payload: Any = None
        self.steps: List[Tuple[str, Callable[..., Any]]] = []
        self.done: Dict[str, asyncio.Event] = {}
        self.results: Dict[str, Any] = {}
        self.context: Optional[Any] = None

    def input(self, payload: Any) -> "AsyncCollector":
        """Set the collected payload."""
        self.payload = payload
        return self

    def run(self, steps: List[Tuple[str, Callable[..., Any]]], context: Any) -> "AsyncCollector":
        """Register the sub-steps to run."""
        self.steps = steps
        self.context = context
        self.done = {name: asyncio.Event() for name, _ in steps}
        return self

    async def _run_step(self, name: str, func: Callable[..., Any]) -> None:
        try:
            self.results[name] = await func(self, self.context)
        finally:
            self.done[name].set()

    async def gather(self) -> "AsyncCollector":
        """Run every sub-step concurrently; errors of any sub-step propagate."""
        await asyncio.gather(*(self._run_step(name, func) for name, func in self.steps))
        return self

    async def __getitem__(self, key: str) -> Any:
        if key == "payload":
            return copy_payload(self.payload)
        event = self.done.get(key)
        if event is None:
            raise KeyError(f"collector has no step '{key}': steps are {[n for n, _ in self.steps]}")
        await event.wait()
        return copy_payload(self.results.get(key))
