"""The app of ``web_bench.py``, written the way hopeit apps usually are, and the servers it is compared with.

Data objects: ``Small`` (answered by the GET events) and ``Nested`` (a ~1 KB body the POST events
validate and echo). Events: ``get_plain`` / ``post_plain`` with plain ``def`` steps and no
``__api__`` (0.24 apps often look like this), ``get_async`` / ``post_async`` with ``async def`` steps
and ``__api__`` from ``event_api``, and ``get_query``, the same with one declared query argument.
``bare_server`` and ``fastapi_server`` serve the same routes and bodies.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Dict, List, Optional

from hopeit.dataobjects import dataobject

__all__ = ["Nested", "Owner", "Part", "Small"]


@dataobject
@dataclass
class Small:
    """What the GET events answer."""

    id: str
    count: int
    label: str


@dataobject
@dataclass
class Part:
    """A part of ``Nested``."""

    name: str
    weight: float
    tags: List[str] = field(default_factory=list)


@dataobject
@dataclass
class Owner:
    """The owner of ``Nested``."""

    id: str
    email: str
    roles: List[str] = field(default_factory=list)


@dataobject(event_id="id")
@dataclass
class Nested:
    """A nested body of about 1 KB, validated and echoed by the POST events."""

    id: str
    created: datetime
    parts: List[Part]
    attributes: Dict[str, str] = field(default_factory=dict)
    owner: Optional[Owner] = None
