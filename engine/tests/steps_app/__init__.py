"""An app for the event handler and stream read loop tests (engine/tests/server)."""

from dataclasses import dataclass
from pathlib import Path

from hopeit.dataobjects import dataobject

CONFIG = Path(__file__).parent / "config.json"


@dataobject(event_id="id")
@dataclass
class LoopData:
    """What the stream events read."""

    id: str
    action: str = "ok"


@dataobject
@dataclass
class LoopResult:
    """What the stream events write."""

    id: str
    queue: str = ""


@dataobject
@dataclass
class OtherData:
    """A type no event reads."""

    name: str
