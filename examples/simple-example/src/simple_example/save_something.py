"""Save something: create a ``Something`` from its id and user name and store it.

Requires a bearer token (get one from ``login``) and a ``User-Agent`` header (checked in
``__preprocess__``, which sees the request headers before any step runs). Answers with the path
of the stored file.
"""

from typing import Union

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PostprocessHook, PreprocessHook
from hopeit.app.logger import app_extra_logger

from simple_example.model import Something, SomethingParams, StatusType, User
from simple_example.storage import now, something_storage, valid_id

__steps__ = ["create_something", "save"]

logger, extra = app_extra_logger()

__api__ = event_api(
    summary="Save something",
    payload=(SomethingParams, "id and user name of the new item"),
    responses={
        200: (str, "path of the stored item"),
        400: (str, "missing User-Agent header, or an invalid id (empty, a path, hidden...)"),
        401: (str, "missing or invalid bearer token"),
    },
)


async def __preprocess__(
    payload: SomethingParams, context: EventContext, request: PreprocessHook
) -> Union[SomethingParams, str]:
    """Refuse requests without a ``User-Agent`` header (answered with 400, no step runs)."""
    if not (request.headers.get("user-agent") or "").strip():
        request.set_status(400)
        return "Missing required user-agent"  # the body of the 400 answer
    return payload


def create_something(payload: SomethingParams, context: EventContext) -> Something:
    """A NEW ``Something`` owned by ``payload.user``."""
    logger.info(context, "creating something", extra=extra(something_id=payload.id))
    item = Something(id=valid_id(payload.id, "id"), user=User(id=payload.user, name=payload.user))
    item.set_status(StatusType.NEW, now())
    return item


async def save(payload: Something, context: EventContext) -> str:
    """Store the item; returns the file path."""
    saved_by = context.auth_info.get("payload", {}).get("user")
    path = await something_storage(context).store(payload.id, payload)
    logger.info(context, f"saved by {saved_by}: {path}", extra=extra(something_id=payload.id))
    return path


async def __postprocess__(payload: str, context: EventContext, response: PostprocessHook) -> str:
    """Tell the client where the item was stored, also in a header."""
    response.set_header("X-Stored-Path", payload)
    return payload
