"""A small host app for the tests: its data objects and config."""

from dataclasses import field
from datetime import datetime, timezone
from pathlib import Path
from typing import List, Optional

from hopeit.dataobjects import dataclass, dataobject

CONFIG = Path(__file__).parent / "config.json"


@dataobject
@dataclass
class Detail:
    name: str
    values: List[int] = field(default_factory=list)


@dataobject(event_id="id", event_ts="ts")
@dataclass
class Something:
    id: str
    ts: Optional[datetime] = None
    details: List[Detail] = field(default_factory=list)


def something(item_id: str, day: int = 1, hour: int = 10) -> Something:
    return Something(
        id=item_id,
        ts=datetime(2024, 3, day, hour, tzinfo=timezone.utc),
        details=[Detail("a", [1, 2]), Detail("b", list(range(20)))],
    )
