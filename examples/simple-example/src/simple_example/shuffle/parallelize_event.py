"""Parallelize event: split the work on an item in two parts that run in parallel.

``fork_something`` yields a ``FirstPart`` and a ``SecondPart``. After ``SHUFFLE`` each part is
handled by the step whose input type matches it (``process_first_part`` or
``process_second_part``): branching by type. A second ``SHUFFLE`` joins both branches in the
last stage, which marks each result PROCESSED and saves it.
"""

from typing import Union

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PostprocessHook
from hopeit.app.events import SHUFFLE, Spawn

from simple_example.model import FirstPart, SecondPart, Something, SomethingStored, StatusType
from simple_example.storage import now, something_storage, valid_id

__steps__ = [
    "fork_something",
    SHUFFLE,
    "process_first_part",
    "process_second_part",
    SHUFFLE,
    "update_status",
    "save",
]

__api__ = event_api(
    summary="Process two parts of something in parallel",
    payload=(Something, "the item to process"),
    responses={200: (str, "the stream the results go to"), 400: (str, "invalid id (empty, a path, hidden...)")},
)


async def fork_something(payload: Something, context: EventContext) -> Spawn[Union[FirstPart, SecondPart]]:
    """Yield both parts of the SUBMITTED item."""
    valid_id(payload.id, "id")  # refused here with 400, not later in the stream consumer that stores it
    payload.set_status(StatusType.SUBMITTED, now())
    yield FirstPart(data=payload)
    yield SecondPart(data=payload)


def process_first_part(payload: FirstPart, context: EventContext) -> Something:
    """Work on the first part: its result gets id ``first_<id>``."""
    return Something(id=f"first_{payload.data.id}", user=payload.data.user, status=payload.data.status,
                     history=list(payload.data.history))


def process_second_part(payload: SecondPart, context: EventContext) -> Something:
    """Work on the second part: its result gets id ``second_<id>``."""
    return Something(id=f"second_{payload.data.id}", user=payload.data.user, status=payload.data.status,
                     history=list(payload.data.history))


def update_status(payload: Something, context: EventContext) -> Something:
    """Mark a result PROCESSED."""
    payload.set_status(StatusType.PROCESSED, now())
    return payload


async def save(payload: Something, context: EventContext) -> SomethingStored:
    """Store a result."""
    path = await something_storage(context).store(payload.id, payload)
    return SomethingStored(path=path, payload=payload)


async def __postprocess__(
    payload: Union[FirstPart, SecondPart], context: EventContext, response: PostprocessHook
) -> str:
    """Say where the results will be published (also in header ``X-Stream-Name``)."""
    event_info = context.event_info
    stream_name = event_info.write_stream.name if event_info.write_stream else ""
    response.set_header("X-Stream-Name", stream_name)
    return f"events submitted to stream: {stream_name}"
