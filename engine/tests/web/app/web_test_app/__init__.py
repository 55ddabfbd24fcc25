"""Test app served over HTTP by the web tests: one event per feature of the web layer."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Dict, List, Optional

from hopeit.dataobjects import dataobject


class Color(str, Enum):
    RED = "red"
    BLUE = "blue"


@dataobject(event_id="id")
@dataclass
class Item:
    """An item."""

    id: str
    count: int
    color: Color = Color.RED
    note: Optional[str] = None


@dataobject
@dataclass
class Part:
    """A part of a nested payload."""

    name: str
    weight: float
    tags: List[str] = field(default_factory=list)


@dataobject(event_id="id")
@dataclass
class Nested:
    """A nested payload of about 1 KB."""

    id: str
    created: datetime
    parts: List[Part]
    attributes: Dict[str, str] = field(default_factory=dict)
    owner: Optional[Item] = None


@dataobject
@dataclass
class QueryEcho:
    """What a GET event received as query args, with their Python types."""

    values: Dict[str, str]
    types: Dict[str, str]


@dataobject
@dataclass
class UploadResult:
    """Fields and files of a multipart upload."""

    fields: Dict[str, str]
    files: Dict[str, int]


@dataobject
@dataclass
class Status:
    """Counters of background events."""

    setup_runs: int
    consumed: List[str]
    service_items: int
    plugin_setup_hosts: List[str]
