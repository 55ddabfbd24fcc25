"""GET: answers after ``seconds``."""

import asyncio

from hopeit.app.context import EventContext

from target_app import Something, host_name

__steps__ = ["wait"]


async def wait(payload: None, context: EventContext, *, seconds: str = "1") -> Something:
    await asyncio.sleep(float(seconds))
    return Something(id=f"slept {seconds}", host=host_name(context))
