"""STREAM: for each item read, calls ``trace_seen`` of target-app and keeps its answer in ``CALLS``."""

from typing import List

from hopeit.app.client import app_call
from hopeit.app.context import EventContext
from target_app import Something
from target_app.trace_seen import TraceSeen

__steps__ = ["call"]

#: what target-app answered, one entry per message read
CALLS: List[TraceSeen] = []


async def call(payload: Something, context: EventContext) -> None:
    CALLS.append(await app_call("target_conn", event="trace_seen", datatype=TraceSeen, payload=None, context=context))
