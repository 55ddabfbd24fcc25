"""Payload types shared by the stream tests (importable, so pickle can restore them)."""

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Dict, List, Optional

from hopeit.dataobjects import dataobject


@dataobject
@dataclass
class Part:
    name: str
    made: datetime


@dataobject(event_id="id", event_ts="created")
@dataclass
class Order:
    id: str
    created: datetime
    parts: List[Part]
    tags: Dict[str, int] = field(default_factory=dict)
    note: Optional[str] = None


@dataobject
@dataclass
class Plain:
    value: int


@dataobject(event_ts="stamp")
@dataclass
class StampedText:
    stamp: str


def make_order(n: int = 1) -> Order:
    return Order(
        id=f"order-{n}",
        created=datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=timezone.utc),
        parts=[Part(name=f"part-{i}", made=datetime(2024, 1, i + 1, tzinfo=timezone.utc)) for i in range(3)],
        tags={"n": n},
    )
