"""Data objects the dataobjects tests share: plain nested shapes, and those of the original simple-example
(``Status`` and ``Something``)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import List, Optional

from hopeit.dataobjects import dataobject


@dataobject
@dataclass
class Status:
    ts: datetime
    type: str


@dataobject
@dataclass
class Something:
    """The shape of the original simple-example's ``Something``."""

    id: str
    status: Optional[Status] = None
    history: List[Status] = field(default_factory=list)


@dataobject
@dataclass
class Leaf:
    name: str
    tags: List[str] = field(default_factory=list)


@dataobject(event_id="header.id", event_ts="header.ts")
@dataclass
class Header:
    id: str
    ts: Optional[datetime] = None


@dataobject(event_id="header.id", event_ts="header.ts")
@dataclass
class Event:
    header: Optional[Header]
    leaves: List[Leaf] = field(default_factory=list)


@dataobject(unsafe=True)
@dataclass
class Unsafe:
    items: List[int]


@dataclass
class PlainDataclass:
    items: List[int]
