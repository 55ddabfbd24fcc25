"""Fail: raises the error ``mode`` names, as steps of 0.24 apps do."""

from hopeit.app.api import event_api
from hopeit.app.context import EventContext
from hopeit.app.errors import BadRequest
from hopeit.server.web import Unauthorized

__steps__ = ["fail"]

__api__ = event_api(query_args=[("mode", str, "bad, unauthorized, value or crash")], responses={200: str})


def fail(payload: None, context: EventContext, mode: str) -> str:
    if mode == "bad":
        raise BadRequest("bad request from the step")
    if mode == "unauthorized":
        raise Unauthorized("who are you")
    if mode == "value":
        raise ValueError("not a good value")
    if mode == "crash":
        raise RuntimeError("the step crashed")
    return "ok"
