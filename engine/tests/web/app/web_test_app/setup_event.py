"""SETUP event: counts its runs; for start-up tests it can take ``HOPEIT_TEST_SETUP_DELAY`` seconds
and write a marker file (``HOPEIT_TEST_SETUP_MARKER``) when it starts."""

import asyncio
import os

from hopeit.app.context import EventContext

from web_test_app.state import SETUP_RUNS

__steps__ = ["setup"]


async def setup(payload: None, context: EventContext) -> None:
    SETUP_RUNS[0] += 1
    marker = os.getenv("HOPEIT_TEST_SETUP_MARKER")
    if marker:
        with open(marker, "w") as file:
            file.write("setup running")
    await asyncio.sleep(float(os.getenv("HOPEIT_TEST_SETUP_DELAY", "0")))
