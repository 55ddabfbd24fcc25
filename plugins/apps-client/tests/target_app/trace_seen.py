"""GET: the W3C trace context this request came with, as the target app continues it."""

from dataclasses import dataclass
from typing import Optional

from hopeit.app.context import EventContext
from hopeit.dataobjects import dataobject

__steps__ = ["trace_seen"]


@dataobject
@dataclass
class TraceSeen:
    """Trace id, the caller's span id (the parent) and tracestate, as received."""

    trace_id: str
    parent_id: Optional[str]
    state: Optional[str]


def trace_seen(payload: None, context: EventContext) -> TraceSeen:
    trace = context.trace
    return TraceSeen(trace_id=trace.trace_id, parent_id=trace.parent_id, state=trace.state)
