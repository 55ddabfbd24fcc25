"""A small app publishing from a request event and consuming with a STREAM event."""

from dataclasses import dataclass

from hopeit.dataobjects import dataobject


@dataobject
@dataclass
class Order:
    """How many items to publish, and which one is poison."""

    count: int
    poison: int = -1


@dataobject(event_id="id")
@dataclass
class Item:
    """One published message."""

    id: str
    index: int
    poison: bool = False
