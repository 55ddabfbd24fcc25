"""A typed app calling the methods ``@dataobject`` adds: checked by mypy in test_mypy_plugin.py."""

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from hopeit.dataobjects import dataobject


@dataobject(event_id="id")
@dataclass
class Something:
    id: str
    count: int = 0


@dataobject
@dataclass
class Other:
    name: str

    def to_json(self, omit_none: bool = True, validate: bool = True) -> str:
        return "own"


def use(text: str) -> None:
    thing: Something = Something.from_json(text)
    as_text: str = thing.to_json()
    again: Something = Something.from_dict(thing.to_dict())
    key: str = again.event_id()
    ts: Optional[datetime] = again.event_ts()
    schema = Something.json_schema()
    other: Other = Other.from_json(b"{}")
    own: str = other.to_json()  # its own method, kept
    print(as_text, key, ts, schema, own)
