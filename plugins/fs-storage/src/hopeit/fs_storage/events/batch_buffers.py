"""``GET batch-buffers`` (plugin app ``fs-storage``, OnApp): what the host app's batch storage events hold.

Route: ``/api/<app>/<ver>/fs-storage/<plugin ver>/batch-buffers``. It lists, for every stream
batch storage event of the host app running in this process, each partition that has items
waiting to be written.
"""

from typing import List

from hopeit.app.context import EventContext
from hopeit.dataobjects import dataclass, dataobject
from hopeit.fs_storage.events._buffers import buffers

__all__ = ["BufferedPartition", "__api__", "__steps__", "batch_buffers"]

__steps__ = ["batch_buffers"]


@dataobject
@dataclass
class BufferedPartition:
    """Items of one partition of one batch storage event, not written yet."""

    event: str
    partition_key: str
    items: int
    path: str


__api__ = {
    "summary": "fs-storage: buffered batch items",
    "description": "Partitions with items waiting to be written by this app's stream batch storage events.",
    "parameters": [],
    "responses": {
        "200": {
            "description": "one entry per partition with buffered items",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "event": {"type": "string"},
                                "partition_key": {"type": "string"},
                                "items": {"type": "integer"},
                                "path": {"type": "string"},
                            },
                        },
                    }
                }
            },
        }
    },
}


async def batch_buffers(payload: None, context: EventContext) -> List[BufferedPartition]:
    """Buffered partitions of the host app (``context.app_key``), by event then partition."""
    return [
        BufferedPartition(
            event=event, partition_key=partition_key, items=len(partition.lines), path=buffer.settings.path
        )
        for (app_key, event), buffer in sorted(buffers.items(), key=lambda entry: entry[0])
        if app_key == context.app_key
        for partition_key, partition in sorted(buffer.partitions.items())
        if partition.lines
    ]
