"""Ten steps, each moving a point."""

from hopeit.app.context import EventContext

from engine_bench_app import Point

__steps__ = [f"step{i}" for i in range(10)]


async def _move(payload: Point, context: EventContext) -> Point:
    payload.x += 1.0
    return payload


step0 = step1 = step2 = step3 = step4 = step5 = step6 = step7 = step8 = step9 = _move
