"""Sleeps ``seconds`` then answers (for draining and timeout tests)."""

import asyncio
import os

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

__steps__ = ["wait"]

__api__ = event_api(query_args=[("seconds", float)], responses={200: str})


async def wait(payload: None, context: EventContext, seconds: float) -> str:
    marker = os.getenv("HOPEIT_TEST_SLOW_MARKER")
    if marker:
        with open(marker, "w") as file:
            file.write("request in flight")
    await asyncio.sleep(seconds)
    return f"slept {seconds}"
