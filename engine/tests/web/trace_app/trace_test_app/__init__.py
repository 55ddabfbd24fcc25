"""App of the trace context tests: a request written to a stream, relayed, and finished by a consumer."""

from typing import Dict, List

from hopeit.dataobjects import dataclass, dataobject

__all__ = ["SEEN", "Item"]

#: per event name, the ``(traceparent, parent_id, tracestate)`` of each event run, as the event saw them
SEEN: Dict[str, List[Dict[str, object]]] = {}


@dataobject
@dataclass
class Item:
    """What travels: an id."""

    id: str


def seen(event: str, context: object) -> None:
    """Remember the trace context ``context`` has (starting it when none came)."""
    trace = context.trace  # type: ignore[attr-defined]
    SEEN.setdefault(event, []).append(
        {"trace_id": trace.trace_id, "span_id": trace.span_id, "parent_id": trace.parent_id, "state": trace.state}
    )
