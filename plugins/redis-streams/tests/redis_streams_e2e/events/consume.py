"""STREAM: record every item read; poison items always fail."""

import collections
from typing import Callable, Counter, Dict, List

from hopeit.app.context import EventContext

from redis_streams_e2e import Item

__steps__ = ["record"]

SEEN: Counter[int] = collections.Counter()
SESSIONS: Dict[int, str] = {}
#: called with each item once it is recorded (tests make Redis fail between processing and acknowledging)
AFTER_RECORD: List[Callable[[Item], None]] = []


def record(payload: Item, context: EventContext) -> None:
    SEEN[payload.index] += 1
    SESSIONS[payload.index] = context.track_ids.get("track.session_id", "")
    if payload.poison:
        raise ValueError(f"cannot process poison item {payload.id}")
    for hook in AFTER_RECORD:
        hook(payload)
