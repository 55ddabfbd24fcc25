"""STREAM event whose payload says what to do: succeed, fail, time out, or reject."""

import asyncio
from typing import Any, Dict, List

from hopeit.app.context import EventContext
from hopeit.app.errors import BadRequest, Unauthorized

from steps_app import LoopData, LoopResult

__steps__ = ["consume"]

SEEN: List[str] = []
#: ids of the "slow" messages whose step has begun waiting (tests wait for this before cancelling)
STARTED_SLOW: List[str] = []
#: "meet" messages wait until this many of them arrived (a test sets it, with a fresh event)
MEETING: List[Any] = []
#: runs of the steps per message id of "flaky:N" messages (which fail their first N runs)
RUNS: Dict[str, int] = {}


async def consume(payload: LoopData, context: EventContext) -> LoopResult:
    if payload.action == "slow":
        STARTED_SLOW.append(payload.id)
        await asyncio.sleep(5)
    elif payload.action == "meet":  # only steps running at the same time can all get past this
        arrived, expected, everyone_here = MEETING
        arrived.append(payload.id)
        if len(arrived) == expected:
            everyone_here.set()
        await everyone_here.wait()
    elif payload.action == "own_timeout":  # a time limit of the step's own, bound to the task running it
        try:
            await asyncio.wait_for(asyncio.Event().wait(), 0.01)
        except asyncio.TimeoutError:
            pass
    elif payload.action.startswith("flaky:"):
        RUNS[payload.id] = RUNS.get(payload.id, 0) + 1
        if RUNS[payload.id] <= int(payload.action.split(":")[1]):
            payload.action = "changed by a run that failed"  # a retry must not see it
            raise ValueError(f"flaky {payload.id} run {RUNS[payload.id]}")
    elif payload.action == "fail":
        raise ValueError(f"cannot process {payload.id}")
    elif payload.action == "bad":
        raise BadRequest(f"bad request {payload.id}")
    elif payload.action == "unauthorized":
        raise Unauthorized(f"unauthorized {payload.id}")
    SEEN.append(payload.id)
    return LoopResult(id=payload.id, queue=context.track_ids.get("stream.name", ""))
