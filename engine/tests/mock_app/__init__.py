"""A small app exercising every event type and step feature, for the engine's tests."""

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import List, Optional

from hopeit.dataobjects import dataobject

#: The mock app's config file.
MOCK_APP_CONFIG = Path(__file__).parent / "config.json"


@dataobject(event_id="id", event_ts="ts")
@dataclass
class MockData:
    """Payload used across the mock app."""

    id: str
    value: str = ""
    ts: Optional[datetime] = None
    tags: List[str] = field(default_factory=list)


@dataobject
@dataclass
class MockResult:
    """Result of processing a MockData."""

    id: str
    processed: str
    count: int = 0
