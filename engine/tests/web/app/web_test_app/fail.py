"""Fails as asked: error, bad_request, unauthorized, stream_error, http_forbidden, http_unavailable."""

from aiohttp import web
from hopeit.app.context import EventContext
from hopeit.app.errors import BadRequest, Unauthorized
from hopeit.streams import StreamOSError

__steps__ = ["fail"]


def fail(payload: None, context: EventContext, kind: str = "error") -> str:
    if kind == "bad_request":
        raise BadRequest("Wrong thing asked")
    if kind == "unauthorized":
        raise Unauthorized("Not you")
    if kind == "stream_error":
        raise StreamOSError("redis://user:s3cret@host:6379 unreachable")
    if kind == "http_forbidden":
        raise web.HTTPForbidden(text="Not for you")
    if kind == "http_unavailable":
        raise web.HTTPServiceUnavailable(text="Down for maintenance")
    if kind == "none":
        return None  # type: ignore[return-value]
    raise AssertionError("Test for error password=s3cret")
