"""``POST flush-batches`` (plugin app ``fs-storage``, OnApp): write the host app's buffered batch items now.

Route: ``/api/<app>/<ver>/fs-storage/<plugin ver>/flush-batches``, body ``{"event": "<event name>"}``
to flush one event, or ``{}`` for every stream batch storage event of the host app in this
process. Useful before maintenance, or to see data at once without waiting ``flush_seconds``.
"""

from typing import List, Optional

from hopeit.app.context import EventContext
from hopeit.dataobjects import dataclass, dataobject, field
from hopeit.fs_storage.events._buffers import buffers, flush_all

__all__ = ["FlushRequest", "FlushedBatches", "__api__", "__steps__", "flush_batches"]

__steps__ = ["flush_batches"]


@dataobject
@dataclass
class FlushRequest:
    """Which batch storage event to flush; all of the host app's when ``event`` is None."""

    event: Optional[str] = None


@dataobject
@dataclass
class FlushedBatches:
    """Paths of the batch files written."""

    files: List[str] = field(default_factory=list)


__api__ = {
    "summary": "fs-storage: flush buffered batch items",
    "description": "Writes the items buffered by this app's stream batch storage events now.",
    "parameters": [],
    "requestBody": {
        "content": {"application/json": {"schema": {"type": "object", "properties": {"event": {"type": "string"}}}}}
    },
    "responses": {
        "200": {
            "description": "files written",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"files": {"type": "array", "items": {"type": "string"}}},
                    }
                }
            },
        }
    },
}


async def flush_batches(payload: FlushRequest, context: EventContext) -> FlushedBatches:
    """Flush the host app's buffers (only ``payload.event`` when given)."""
    result = FlushedBatches()
    for (app_key, event), buffer in sorted(buffers.items(), key=lambda entry: entry[0]):
        if app_key == context.app_key and payload.event in (None, event):
            result.files.extend(await flush_all(buffer))
    return result
