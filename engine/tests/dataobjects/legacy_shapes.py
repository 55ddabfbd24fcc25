"""Data objects shaped like the original simple-example's (``Status`` and ``Something``), shared by tests."""

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
