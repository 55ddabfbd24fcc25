"""Consumes the test stream, remembering ids and the session id carried with each message."""

import asyncio
import os

from hopeit.app.context import EventContext

from web_test_app import Item
from web_test_app.state import CONSUMED

__steps__ = ["consume"]


async def consume(payload: Item, context: EventContext) -> None:
    if payload.note == "slow":
        marker = os.getenv("HOPEIT_TEST_CONSUME_MARKER")
        if marker:
            with open(marker, "w") as file:
                file.write(payload.id)
        await asyncio.sleep(1.0)  # lets the drain test stop the server mid-batch
    CONSUMED.append(f"{payload.id}:{context.track_ids.get('track.session_id', '')}")
