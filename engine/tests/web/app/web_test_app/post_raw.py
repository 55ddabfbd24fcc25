"""Reads the raw body in __preprocess__ and answers its size; a body "reject" gets 422."""

from hopeit.app.context import EventContext, PreprocessHook

__steps__ = ["size"]


async def __preprocess__(payload: None, context: EventContext, request: PreprocessHook, **query_args: str) -> str:
    raw = request.payload_raw or b""
    if raw == b"reject":
        request.set_status(422)
        return "rejected by preprocess"
    return raw.decode() + "|" + (request.headers.get("X-Custom") or "")


def size(payload: str, context: EventContext) -> str:
    return f"{len(payload)}:{payload}"
