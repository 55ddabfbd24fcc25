"""Writing a response: bodies, track headers, hook headers and cookies, files, streams, errors."""

from traceback import format_exception_only
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set

from aiohttp import hdrs, web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_request import BaseRequest
from hopeit.app.context import EventContext, PostprocessHook
from hopeit.app.errors import ErrorInfo
from hopeit.server.errors import format_exc
from hopeit.server.names import titlecase
from hopeit.web.json_text import json_text
from multidict import istr

__all__ = [
    "CONTEXT_KEY",
    "DRAINING",
    "AccessLine",
    "Draining",
    "UnknownRoute",
    "error_response",
    "event_response",
    "header_name",
    "http_error_message",
    "http_error_response",
    "plain_http_errors",
    "track_headers",
]

#: Where an event handler leaves its context on the request at INFO, for the access log line (a typed
#: ``RequestKey`` where aiohttp has them, 3.13 on).
CONTEXT_KEY: Any = (
    web.RequestKey("hopeit.context", EventContext) if hasattr(web, "RequestKey") else "hopeit.context"
)

# header names are multidict ``istr`` values, as aiohttp's own (``hdrs``): the case-insensitive
# headers of a response then need no lower-cased copy of each name, on every request
_header_names: Dict[str, str] = {}



class Draining:
    """Whether the server is shutting down: responses written meanwhile carry ``Connection: close``.

    aiohttp closes every connection once the response in flight is written, but that response
    still says keep-alive: a client sending its next request on it would find it closed (or
    reset). Set by the server on SIGTERM (``start``), before it stops taking requests.
    """

    __slots__ = ("active",)

    def __init__(self) -> None:
        self.active = False

    def start(self) -> None:
        """The server stops: answer every request from now on with ``Connection: close``."""
        self.active = True

    def reset(self) -> None:
        """The server serves again (a new server in the same process)."""
        self.active = False


#: The draining state of this process's server, checked once per response.
DRAINING = Draining()

#: aiohttp adds ``Server: Python/x aiohttp/y`` unless the header is present: present and empty here.
_SERVER = hdrs.SERVER
_CONTENT_TYPE = hdrs.CONTENT_TYPE


def header_name(key: str) -> str:
    """Response header of a track id: ``track.request_id`` -> ``X-Track-Request-Id``."""
    name = _header_names.get(key)
    if name is None:
        name = _header_names[key] = istr("X-" + titlecase(key).replace(" ", "-"))
    return name


def track_headers(context: EventContext) -> Dict[str, str]:
    """One ``X-...`` header per track id of the context, plus the blank ``Server`` header."""
    names = _header_names
    headers = {names.get(k) or header_name(k): v for k, v in context.track_ids.items()}
    headers[_SERVER] = ""
    return headers


#: Content type of JSON answers, as 0.24 sent it (no ``charset``: JSON text is UTF-8, here plain ASCII)
_JSON = "application/json"
#: Content type of error answers: 0.24 sent its ``ErrorInfo`` JSON, and aiohttp's own errors, as text
_ERROR_TYPE = "text/plain; charset=utf-8"


def json_body(body: Any, key: str) -> bytes:
    """JSON text of a response body as 0.24 wrote it: data objects as themselves, atomic values as ``{key: value}``.

    The text of ``Payload.to_json`` (``", "`` / ``": "`` separators, non-ASCII characters escaped),
    so clients and tests comparing the text of 0.24's answers see the same bytes; written by
    ``json_text``, faster. Data objects holding a value of the wrong type fail unless they say
    ``validate=False``; ``None`` is ``null``.
    """
    return json_text(body, key)


def event_response(context: EventContext, body: Any, hook: Optional[PostprocessHook]) -> web.StreamResponse:
    """Response of an event: JSON (atomic values under the event name), text, a file or a stream.

    Headers are the hook's, then one per track id; the hook's status, cookies and content type
    apply. A stream response was already sent by ``__postprocess__`` and is returned as it is.
    """
    headers = track_headers(context)
    if hook is None:
        headers[_CONTENT_TYPE] = _JSON
        return web.Response(body=json_body(body, context.event_name), headers=headers)
    if hook.stream_response is not None:
        resp: web.StreamResponse = hook.stream_response.resp
        return resp
    if hook.headers:
        headers = {**hook.headers, **headers}
    content_type = hook.content_type
    if hook.file_response is not None:
        headers[_CONTENT_TYPE] = content_type
        resp = web.FileResponse(hook.file_response, headers=headers)
    elif content_type == "application/json":
        headers.setdefault(_CONTENT_TYPE, _JSON)
        resp = web.Response(body=json_body(body, context.event_name), headers=headers)
    else:
        text = "" if body is None else str(body)
        if any(k.lower() == "content-type" for k in hook.headers):
            resp = web.Response(text=text, headers=headers)  # encoded in the charset the header names
        else:
            # the content type as the event set it, without a charset added (0.24); the text is UTF-8
            headers[_CONTENT_TYPE] = content_type
            resp = web.Response(body=text.encode(), headers=headers)
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
    exception_line: bool = False,
) -> web.Response:
    """``ErrorInfo`` answer ``{"msg": ..., "tb": [...]}``: its JSON text (0.24's), sent as ``text/plain``.

    ``msg`` is ``message``, else ``str(exc)``. ``tb`` holds the full traceback when ``traceback``
    is set (server config ``errors_traceback``); else the exception line when ``exception_line``
    is (``hopeit.app.errors.BadRequest: <msg>``: what 0.24 sent for the errors it answered with
    the exception's text); else nothing.
    """
    if traceback:
        lines: List[str] = format_exc(exc)
    elif exception_line:
        lines = format_exception_only(type(exc), exc)
    else:
        lines = []
    info = ErrorInfo(msg=str(exc) if message is None else message, tb=lines)
    headers = track_headers(context) if context is not None else {_SERVER: ""}
    headers[_CONTENT_TYPE] = _ERROR_TYPE
    return web.Response(body=json_body(info, "error"), status=status, headers=headers)


def http_error_message(request: web.Request, exc: web.HTTPException) -> str:
    """What an aiohttp HTTP error raised by a step says in an ``ErrorInfo``: its text, or the route and method."""
    if exc.status == 404 and exc.text == f"404: {exc.reason}":
        return f"Not found: {request.method} {request.path}"
    if exc.status == 405:
        return f"Method not allowed: {request.method} {request.path}"
    if exc.status == 413:
        return f"Request body too large: {exc.text}"
    return exc.text or exc.reason


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _credential_names() -> Set[str]:
    """Keys aiohttp-swagger3 uses for credential errors: ``authorization`` and api key names."""
    from hopeit.web import openapi

    schemes = (openapi.spec or {}).get("components", {}).get("securitySchemes", {})
    names = {scheme.get("name") for scheme in schemes.values() if scheme.get("type") == "apiKey"}
    return {"authorization", *(n for n in names if isinstance(n, str))}


def http_error_response(
    request: web.Request, exc: web.HTTPException, context: Optional[EventContext] = None
) -> web.Response:
    """Plain text answer of an aiohttp HTTP error (status 400 or more) raised outside any event.

    As 0.24 answered them: ``404: Not Found``, ``405: Method Not Allowed`` (with ``Allow``), and
    aiohttp-swagger3's validation failures ``400: {"count": "is required"}``. Those about missing
    or malformed credentials of a documented auth scheme answer 401 (0.24: 400), with the same text.
    """
    status = exc.status
    errors = getattr(exc, "errors", None)
    if isinstance(errors, dict) and errors and set(errors) <= _credential_names():
        status = 401
    text = exc.text if status == exc.status else f"{status}: {exc.reason}"
    headers = track_headers(context) if context is not None else {_SERVER: ""}
    headers[_CONTENT_TYPE] = _ERROR_TYPE
    allow = exc.headers.get("Allow")
    if allow:
        headers[hdrs.ALLOW] = allow
    resp = web.Response(body=(text or "").encode(), status=status, headers=headers)
    if DRAINING.active:
        resp.force_close()
    return resp


def plain_http_errors(handler: Handler) -> Handler:
    """``handler`` answering the aiohttp HTTP errors it raises (4xx, 5xx) as ``http_error_response`` does."""

    async def call(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise  # redirects and other non-errors answer as aiohttp makes them
            return http_error_response(request, exc)

    return call


class UnknownRoute:
    """Handler of the catch-all route added after every other one: 404, or 405 with ``Allow``.

    A catch-all route instead of a middleware: aiohttp runs middlewares around every request,
    while this runs only for requests no other route takes. aiohttp resolves paths from the longest
    prefix down to ``/``, where this route sits: routes added after it still win, except routes on
    ``/`` itself or with a variable right after it (``/{name}``), which it shadows.
    """

    def __init__(self) -> None:
        self.resource: Any = None

    def install(self, app: web.Application) -> None:
        """Add the catch-all route (every method, every path); call it after every other route."""
        self.resource = app.router.add_route("*", "/{_unknown_path:.*}", self.__call__).resource

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        """Answer a request that matched no route of the app."""
        allowed: Set[str] = set()
        for resource in request.app.router.resources():
            if resource is not self.resource:
                _, methods = await resource.resolve(request)
                allowed |= methods
        if allowed:
            exc: web.HTTPException = web.HTTPMethodNotAllowed(request.method, allowed)
        else:
            exc = web.HTTPNotFound()
        return http_error_response(request, exc)


class AccessLine(AbstractAccessLogger):
    """aiohttp access logger writing one INFO line per request that is not an event request.

    Event requests already log their access line: the event's DONE (IGNORED, FAILED) line, which
    carries ``http.request`` and ``http.peer``. Other requests (unknown routes, docs, management)
    get ``<peer> "<METHOD> <path>" <status> <bytes> <ms>ms`` here. ``logger`` is the engine logger
    (anything with ``info(context, message)``); the aiohttp log format is not used.
    """

    def log(self, request: BaseRequest, response: web.StreamResponse, time: float) -> None:
        """Write the access line of ``request``, unless it is an event request."""
        if CONTEXT_KEY in request:
            return
        length = response.body_length if response.prepared else getattr(response, "content_length", 0) or 0
        line = f'{request.remote} "{request.method} {request.path_qs}" {response.status} {length} {time * 1000:.3f}ms'
        self.logger.info(None, line)
