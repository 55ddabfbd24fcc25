"""Data objects of the 0.24-style app.

Classes without a docstring are described by their dataclass signature, which depends on how
Python prints the field types: those here print the same on every Python the engine supports
(``Optional[...]`` does not, so classes with optional fields have a docstring).
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum, IntEnum
from typing import Dict, List, Optional
from uuid import UUID

from hopeit.dataobjects import BinaryDownload, dataobject


class Color(Enum):
    RED = "red"
    BLUE = "blue"


class Size(str, Enum):
    SMALL = "S"
    LARGE = "L"


class Level(IntEnum):
    LOW = 1
    HIGH = 2


@dataobject
@dataclass
class Part:
    """A part of a thing"""

    name: str
    qty: int = 1


@dataobject
@dataclass
class Extras:
    amount: Decimal
    uid: UUID
    when: datetime
    level: Level
    color: Color = Color.BLUE
    tags: List[str] = field(default_factory=list)
    counts: Dict[str, int] = field(default_factory=lambda: {"a": 1})
    since: datetime = datetime(2020, 1, 1)


@dataobject
@dataclass
class Thing:
    """A thing with fields of many types"""

    id: str
    count: int
    created: datetime
    size: Size
    tags: List[str]
    attrs: Dict[str, int]
    parts: List[Part]
    main_part: Part
    part_map: Dict[str, Part]
    extras: Extras
    note: Optional[str] = None
    ratio: float = 0.5
    flag: bool = False
    maybe_part: Optional[Part] = None
    maybe_when: Optional[datetime] = None
    default_part: Part = field(default_factory=lambda: Part(name="p", qty=2))


@dataobject
@dataclass
class ThingId:
    """Identifies a saved thing.

    Second paragraph of the docstring.
    """

    id: str
    saved: bool


@dataobject
@dataclass
class MyObject:
    text: str
    length: int


@dataobject
@dataclass
class Named:
    name: str
    kind: str = "named"


@dataobject
@dataclass
class Labeled(Named):
    label: str = ""


@dataobject
@dataclass
class UploadInfo:
    name: str
    file_names: List[str]
    labeled: Labeled


@dataobject
@dataclass
class StreamedThing:
    """Only used by a stream event"""

    value: str


@dataobject
@dataclass
class ImagePng(BinaryDownload):
    content_type = "image/png"
    file_name: str
