"""Fails: 500, or 400 with ``?kind=bad_request``."""

from hopeit.app.context import EventContext
from hopeit.app.errors import BadRequest

__steps__ = ["fail"]


def fail(payload: None, context: EventContext, kind: str = "error") -> str:
    if kind == "bad_request":
        raise BadRequest("asked to refuse")
    raise RuntimeError("asked to fail")
