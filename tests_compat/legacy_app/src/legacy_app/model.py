"""Data objects of legacy-app, in 0.24 style: ``@dataobject`` on a standard library dataclass."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Dict, List, Optional

from hopeit.dataobjects import dataobject


class StatusType(str, Enum):
    """Where a Something is in its life."""

    NEW = "NEW"
    SUBMITTED = "SUBMITTED"
    PROCESSED = "PROCESSED"


@dataobject
@dataclass
class Status:
    ts: datetime
    type: StatusType


@dataobject
@dataclass
class User:
    id: str
    name: str


@dataobject(event_id="id", event_ts="status.ts")
@dataclass
class Something:
    """A thing that is saved, queried and streamed."""

    id: str
    user: User
    status: Optional[Status] = None
    history: List[Status] = field(default_factory=list)
    price: Decimal = Decimal("0")
    tags: Dict[str, str] = field(default_factory=dict)


@dataobject
@dataclass
class SomethingNotFound:
    path: str
    id: str


@dataobject
@dataclass
class Message:
    text: str
    length: int


@dataobject
@dataclass
class ItemsInfo:
    item1_id: str
    item2_id: str


@dataobject
@dataclass
class ItemsCollected:
    items: List[Something]


@dataobject
@dataclass
class UploadInfo:
    id: str
    files: Dict[str, int]
