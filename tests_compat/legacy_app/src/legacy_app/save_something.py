"""Save something: stores the posted Something in the app's FileStorage, status SUBMITTED."""

from datetime import datetime, timezone

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

from legacy_app import storage
from legacy_app.model import Something, Status, StatusType

__steps__ = ["submit", "save"]

__api__ = event_api(payload=(Something, "what to save"), responses={200: (Something, "what was saved")})


async def __init_event__(context: EventContext) -> None:
    storage.init_storage(context)


def submit(payload: Something, context: EventContext) -> Something:
    if payload.status is not None:
        payload.history.append(payload.status)
    payload.status = Status(ts=datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc), type=StatusType.SUBMITTED)
    return payload


async def save(payload: Something, context: EventContext) -> Something:
    assert storage.fs is not None
    await storage.fs.store(payload.id, payload)
    return payload
