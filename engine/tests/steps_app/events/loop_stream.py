"""STREAM event whose payload says what to do: succeed, fail, time out, or reject."""

import asyncio
from typing import List

from hopeit.app.context import EventContext
from hopeit.app.errors import BadRequest, Unauthorized

from steps_app import LoopData, LoopResult

__steps__ = ["consume"]

SEEN: List[str] = []
#: ids of the "slow" messages whose step has begun waiting (tests wait for this before cancelling)
STARTED_SLOW: List[str] = []


async def consume(payload: LoopData, context: EventContext) -> LoopResult:
    if payload.action == "slow":
        STARTED_SLOW.append(payload.id)
        await asyncio.sleep(5)
    elif payload.action == "fail":
        raise ValueError(f"cannot process {payload.id}")
    elif payload.action == "bad":
        raise BadRequest(f"bad request {payload.id}")
    elif payload.action == "unauthorized":
        raise Unauthorized(f"unauthorized {payload.id}")
    SEEN.append(payload.id)
    return LoopResult(id=payload.id, queue=context.track_ids.get("stream.name", ""))
