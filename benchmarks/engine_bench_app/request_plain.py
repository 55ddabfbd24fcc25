"""A GET event with a plain ``def`` step: the request path of the engine, without the web server."""

from hopeit.app.context import EventContext

from engine_bench_app import Point

__steps__ = ["answer"]


def answer(payload: None, context: EventContext) -> Point:
    return Point(id="p", x=1.0, y=2.0)
