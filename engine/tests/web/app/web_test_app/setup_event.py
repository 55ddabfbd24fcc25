"""SETUP event: counts its runs (and takes ``HOPEIT_TEST_SETUP_DELAY`` seconds, for start-up tests)."""

import asyncio
import os

from hopeit.app.context import EventContext

from web_test_app.state import SETUP_RUNS

__steps__ = ["setup"]


async def setup(payload: None, context: EventContext) -> None:
    SETUP_RUNS[0] += 1
    await asyncio.sleep(float(os.getenv("HOPEIT_TEST_SETUP_DELAY", "0")))
