"""Writing a response: bodies, track headers, hook headers and cookies, files, streams, errors."""

import json
import logging
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional

from aiohttp import web
from hopeit.app._hooks import PostprocessHook
from hopeit.app.context import EventContext
from hopeit.app.errors import ErrorInfo
from hopeit.dataobjects.payload import Payload
from hopeit.server.errors import format_exc
from hopeit.server.names import titlecase

__all__ = [
    "CONTEXT_KEY",
    "error_middleware",
    "error_response",
    "event_response",
    "header_name",
    "track_headers",
]

#: Where an event handler leaves its context on the request, for the access log line.
CONTEXT_KEY = "hopeit.context"

_header_names: Dict[str, str] = {}

#: aiohttp adds ``Server: Python/x aiohttp/y`` unless the header is present: present and empty here.
_SERVER = "Server"


def header_name(key: str) -> str:
    """Response header of a track id: ``track.request_id`` -> ``X-Track-Request-Id``."""
    name = _header_names.get(key)
    if name is None:
        name = _header_names[key] = "X-" + titlecase(key).replace(" ", "-")
    return name


def track_headers(context: EventContext) -> Dict[str, str]:
    """One ``X-...`` header per track id of the context, plus the blank ``Server`` header."""
    headers = {header_name(k): v for k, v in context.track_ids.items()}
    headers[_SERVER] = ""
    return headers


def event_response(context: EventContext, body: Any, hook: Optional[PostprocessHook]) -> web.StreamResponse:
    """Response of an event: JSON (atomic values under the event name), text, a file or a stream.

    Headers are the hook's, then one per track id; the hook's status, cookies and content type
    apply. A stream response was already sent by ``__postprocess__`` and is returned as it is.
    """
    headers = track_headers(context)
    if hook is None:
        text = Payload.to_json(body, key=context.event_name) if body is not None else "null"
        return web.Response(text=text, headers=headers, content_type="application/json")
    if hook.stream_response is not None:
        resp: web.StreamResponse = hook.stream_response.resp
        return resp
    if hook.headers:
        headers = {**hook.headers, **headers}
    content_type = hook.content_type
    if hook.file_response is not None:
        headers["Content-Type"] = content_type
        resp = web.FileResponse(hook.file_response, headers=headers)
    else:
        if content_type == "application/json":
            text = Payload.to_json(body, key=context.event_name) if body is not None else "null"
        else:
            text = "" if body is None else str(body)
        if any(k.lower() == "content-type" for k in hook.headers):
            resp = web.Response(text=text, headers=headers)
        else:
            resp = web.Response(text=text, headers=headers, content_type=content_type)
    for name, (value, args, kwargs) in hook.cookies.items():
        resp.set_cookie(name, value, *args, **kwargs)
    for name, args, kwargs in hook.del_cookies:
        resp.del_cookie(name, *args, **kwargs)
    if hook.status is not None:
        resp.set_status(hook.status)
    return resp


def error_response(
    exc: BaseException,
    status: int,
    *,
    context: Optional[EventContext] = None,
    traceback: bool = False,
    message: Optional[str] = None,
) -> web.Response:
    """JSON ``ErrorInfo`` response ``{"msg": ..., "tb": [...]}``.

    ``tb`` holds the full traceback only when ``traceback`` is set (server config
    ``errors_traceback``); otherwise it is empty. ``message`` replaces ``str(exc)``.
    """
    lines: List[str] = format_exc(exc) if traceback else []
    info = ErrorInfo(msg=str(exc) if message is None else message, tb=lines)
    headers = track_headers(context) if context is not None else {_SERVER: ""}
    return web.Response(text=Payload.to_json(info), status=status, headers=headers, content_type="application/json")


def _http_error_message(request: web.Request, exc: web.HTTPException) -> str:
    errors = getattr(exc, "errors", None)
    if isinstance(errors, dict):  # aiohttp-swagger3 validation: {"name": "problem", ...}
        return "Invalid request: " + json.dumps(errors)
    if exc.status == 404:
        return f"Not found: {request.method} {request.path}"
    if exc.status == 405:
        return f"Method not allowed: {request.method} {request.path}"
    if exc.status == 413:
        return f"Request body too large: {exc.text}"
    return exc.reason


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error_middleware(access_logger: Any, traceback: bool) -> Any:
    """Middleware answering every HTTP error with JSON ``ErrorInfo`` and writing access lines.

    Unknown routes, wrong methods, validation failures and failures of non-event handlers (docs)
    become ``{"msg": ..., "tb": []}`` responses. At INFO, one line per request is logged:
    ``<peer> "<METHOD> <path>" <status> <bytes> <ms>ms`` with the track ids of the event, if any.
    """

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        log = access_logger.isEnabledFor(logging.INFO)
        started = time.perf_counter() if log else 0.0
        try:
            resp = await handler(request)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            status = exc.status
            errors = getattr(exc, "errors", None)
            if isinstance(errors, dict) and set(errors) == {"authorization"}:
                status = 401  # credentials missing in a documented auth scheme
            resp = error_response(exc, status, message=_http_error_message(request, exc))
        except Exception as exc:  # noqa: BLE001 - a failing non-event handler must still answer JSON
            access_logger.error(None, exc)
            resp = error_response(exc, 500, traceback=traceback, message=None if traceback else "Internal server error")
        if log:
            elapsed = (time.perf_counter() - started) * 1000.0
            context = request.get(CONTEXT_KEY)
            access_logger.info(
                context,
                f'{request.remote} "{request.method} {request.path_qs}" {resp.status} '
                f"{resp.body_length if resp.prepared else getattr(resp, 'content_length', 0) or 0} {elapsed:.3f}ms",
            )
        return resp

    return middleware
