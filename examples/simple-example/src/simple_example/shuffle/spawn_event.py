"""Spawn event: turn one item into three, and process each in the background.

``spawn_many_events`` is a generator step: each copy it yields continues on its own. ``SHUFFLE``
sends them through an automatic stream to the next stage (which any process running this app
with streams may pick up: the way to spread work), where each is marked PROCESSED, saved, and the
``SomethingStored`` result published to ``write_stream``.
"""

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PostprocessHook
from hopeit.app.events import SHUFFLE, Spawn

from simple_example.model import Something, SomethingStored, StatusType
from simple_example.storage import now, something_storage, valid_id

__steps__ = ["spawn_many_events", SHUFFLE, "update_status", "save"]

#: How many copies of the item are made.
COPIES = 3

__api__ = event_api(
    summary="Spawn copies of something to the stream",
    payload=(Something, "the item to copy"),
    responses={200: (str, "the stream the copies go to"), 400: (str, "invalid id (empty, a path, hidden...)")},
)


async def spawn_many_events(payload: Something, context: EventContext) -> Spawn[Something]:
    """Yield ``COPIES`` SUBMITTED copies, with ids ``<id>.0``, ``<id>.1``..."""
    valid_id(payload.id, "id")  # refused here with 400, not later in the stream consumer that stores it
    payload.set_status(StatusType.SUBMITTED, now())
    for i in range(COPIES):
        yield Something(id=f"{payload.id}.{i}", user=payload.user, status=payload.status,
                        history=list(payload.history))


def update_status(payload: Something, context: EventContext) -> Something:
    """Mark a copy PROCESSED."""
    payload.set_status(StatusType.PROCESSED, now())
    return payload


async def save(payload: Something, context: EventContext) -> SomethingStored:
    """Store a copy."""
    path = await something_storage(context).store(payload.id, payload)
    return SomethingStored(path=path, payload=payload)


async def __postprocess__(payload: Something, context: EventContext, response: PostprocessHook) -> str:
    """Say where the results will be published (also in header ``X-Stream-Name``)."""
    event_info = context.event_info
    stream_name = event_info.write_stream.name if event_info.write_stream else ""
    response.set_header("X-Stream-Name", stream_name)
    return f"events submitted to stream: {stream_name}"
