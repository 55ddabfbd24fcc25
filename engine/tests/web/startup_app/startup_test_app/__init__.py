"""A typical small app for the start-up tests: ``async def`` steps and ``__api__`` from ``event_api``."""

from dataclasses import dataclass

from hopeit.dataobjects import dataobject

__all__ = ["Item"]


@dataobject
@dataclass
class Item:
    """What the events read and answer."""

    id: str
    count: int

