"""STREAM event: consumes spawned items, publishes results."""

from typing import List

from hopeit.app.context import EventContext

from mock_app import MockData, MockResult

__steps__ = ["consume"]

SEEN: List[str] = []


def consume(payload: MockData, context: EventContext) -> MockResult:
    if payload.value == "fail":
        raise ValueError(f"cannot process {payload.id}")
    SEEN.append(payload.id)
    return MockResult(id=payload.id, processed=context.track_ids.get("track.session_id", ""))
