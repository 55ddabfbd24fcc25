"""Slow: answer after ``seconds``, so a test can have a request in flight when the server stops."""

import asyncio
from pathlib import Path

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

__steps__ = ["pause"]

__api__ = event_api(
    summary="Answer after a pause",
    query_args=[("seconds", float, "How long to wait before answering")],
    responses={200: (str, "done")},
)


async def pause(payload: None, context: EventContext, seconds: float) -> str:
    """Wait ``seconds`` (at most 30), then answer ``done``.

    ``slow-in-flight`` in the server's working folder tells a test the request reached this step.
    """
    Path("slow-in-flight").touch()
    await asyncio.sleep(min(seconds, 30.0))
    return "done"
