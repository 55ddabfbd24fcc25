"""Events used by the engine benchmark."""

from dataclasses import dataclass, field
from typing import List

from hopeit.dataobjects import dataobject


@dataobject
@dataclass
class Point:
    """A small payload with immutable fields."""

    id: str
    x: float
    y: float
    label: str = ""


@dataobject
@dataclass
class Reading:
    """A message payload of about 200 bytes of JSON."""

    id: str
    sensor: str
    value: float
    unit: str
    tags: List[str] = field(default_factory=list)
