"""STREAM: record every item read; poison items always fail."""

import collections
from typing import Counter, Dict

from hopeit.app.context import EventContext

from redis_streams_e2e import Item

__steps__ = ["record"]

SEEN: Counter[int] = collections.Counter()
SESSIONS: Dict[int, str] = {}


def record(payload: Item, context: EventContext) -> None:
    SEEN[payload.index] += 1
    SESSIONS[payload.index] = context.track_ids.get("track.session_id", "")
    if payload.poison:
        raise ValueError(f"cannot process poison item {payload.id}")
