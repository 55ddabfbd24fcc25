"""Routes of an app: one handler per GET, POST and MULTIPART event, management routes for streams.

Everything an event's requests share (engine, settings, auth methods, input type, query arg
types, body limit) is worked out once when the route is created; a request only runs the event.
"""

import logging
import time
from functools import partial
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Set

from aiohttp import web
from hopeit.app.api import EventApi
from hopeit.app.config import AppConfig, EventDescriptor, EventPlugMode, EventType
from hopeit.app.context import EventContext, PostprocessHook, PreprocessHook, _context_shape
from hopeit.app.errors import BadRequest, Unauthorized
from hopeit.server.config import AuthType
from hopeit.server.engine import AppEngine
from hopeit.server.logger import EngineLoggerWrapper
from hopeit.server.names import app_route_name
from hopeit.storage import InvalidKeyError
from hopeit.streams import StreamOSError
from hopeit.web import openapi
from hopeit.web.metrics_route import measure_route
from hopeit.web.mgmt import StreamControl, mgmt_route_name
from hopeit.web.request import (
    DEFAULT_MAX_BODY_SIZE,
    PayloadTooLarge,
    QueryArgs,
    authorize,
    event_query_args,
    parse_json_payload,
    read_body,
    string_query_args,
)
from hopeit.web.response import (
    CONTEXT_KEY,
    DRAINING,
    error_response,
    event_response,
    http_error_message,
    plain_http_errors,
)
from hopeit.web.tracking import track_ids

if TYPE_CHECKING:  # pragma: no cover - loaded by routes of MULTIPART events only
    from hopeit.web.multipart import Upload

__all__ = ["EventRoute", "add_app_routes"]

_WEB_EVENTS = (EventType.GET, EventType.POST, EventType.MULTIPART)
_RESPONSE_TIMEOUT = "Response timeout exceeded"


def _event_limit(settings: Any, key: str, default: int) -> int:
    """A positive ``settings.<event>.<key>`` (``max_body_size``, ``max_field_size``, ``max_parts``), or ``default``."""
    section = settings.extras.get("_", {}) if isinstance(settings.extras, dict) else {}
    value = section.get(key) if isinstance(section, dict) else None
    return int(value) if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default


class EventRoute:
    """Handles the requests of one web event of one (host) app."""

    __slots__ = (
        "auth_info",
        "auth_methods",
        "engine",
        "event_name",
        "event_type",
        "has_postprocess",
        "has_preprocess",
        "host_config",
        "input_type",
        "log",
        "logger",
        "max_body_size",
        "new_upload",
        "query_args",
        "settings",
        "shape",
        "traceback",
    )

    def __init__(
        self,
        *,
        engine: AppEngine,
        host_config: AppConfig,
        event_name: str,
        event_info: EventDescriptor,
        logger: EngineLoggerWrapper,
    ) -> None:
        server_config = host_config.server or engine.app_config.server
        self.engine = engine
        self.host_config = host_config
        self.event_name = event_name
        self.event_type = event_info.type
        self.logger = logger
        self.settings = engine.event_settings(event_name)
        if engine.event_handler is None:
            raise RuntimeError(f"app engine {engine.app_key} must be started before its routes are created")
        loaded = engine.event_handler.event(event_name)
        self.input_type = loaded.input_type
        self.has_preprocess = loaded.preprocess is not None
        self.has_postprocess = loaded.postprocess is not None
        declared = getattr(loaded.module, "__api__", None)
        declared_types = declared.query_arg_types if isinstance(declared, EventApi) else None
        get = self.event_type == EventType.GET
        self.query_args = QueryArgs(
            declared_types,
            accepted=event_query_args(loaded, get=get),
            event_name=event_name,
            skip="payload" if get else None,  # a GET event's payload
            strings=string_query_args(loaded, get=get, names=declared_types or ()),
        )
        auth = server_config.auth if server_config is not None else None
        self.auth_methods: List[AuthType] = list(event_info.auth) or (
            list(auth.default_auth_methods) if auth is not None else [AuthType.UNSECURED]
        )
        self.auth_info: Dict[str, Any] = {"domain": auth.domain} if auth is not None and auth.domain else {}
        #: MULTIPART events: the ``Upload`` of a request, within the event's limits
        self.new_upload: Optional[Callable[[web.Request], Upload]] = None
        if self.event_type == EventType.MULTIPART:
            from hopeit.web import multipart  # servers without MULTIPART events do not load it

            self.max_body_size = _event_limit(self.settings, "max_body_size", multipart.DEFAULT_MAX_UPLOAD_SIZE)
            self.new_upload = partial(multipart.Upload, limits=multipart.MultipartLimits(
                body=self.max_body_size,
                field=_event_limit(self.settings, "max_field_size", multipart.DEFAULT_MAX_FIELD_SIZE),
                parts=_event_limit(self.settings, "max_parts", multipart.DEFAULT_MAX_PARTS),
            ))
        else:
            self.max_body_size = _event_limit(self.settings, "max_body_size", DEFAULT_MAX_BODY_SIZE)
        self.traceback = bool(server_config is not None and server_config.errors_traceback)
        self.shape = _context_shape(host_config, engine.app_config, event_name, self.settings)
        self.log = logger.logger  # the standard logger: one call less per request to ask its level

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        """Run the event for ``request``; every failure becomes an ``ErrorInfo`` answer."""
        context = EventContext._of_shape(self.shape, self.event_name, track_ids(request), dict(self.auth_info))
        info = self.log.isEnabledFor(logging.INFO)
        if info:
            request[CONTEXT_KEY] = context  # this request's DONE line is its access line
            track = self.logger.start_request(context)
        try:
            new_upload = self.new_upload
            resp = await (self._run(context, request) if new_upload is None
                          else self._run_upload(context, request, new_upload))
        except Unauthorized as exc:
            return self._fail(context, request, exc, 401, ignored=True, exception_line=True)
        except web.HTTPException as exc:  # raised by a step or hook, or by aiohttp reading the request
            if exc.status < 400:
                raise  # a redirect: aiohttp answers it as it is
            detail = http_error_message(request, exc)
            return self._fail(context, request, exc, exc.status, ignored=exc.status < 500, message=detail)
        except BadRequest as exc:
            return self._fail(context, request, exc, 400, ignored=True, exception_line=True)
        except PayloadTooLarge as exc:
            return self._fail(context, request, exc, 413, ignored=True)
        except InvalidKeyError as exc:  # a storage key taken from the request that is not a plain name
            return self._fail(context, request, exc, 400, ignored=True)
        except StreamOSError as exc:
            return self._fail(context, request, exc, 503, message="Stream backend unavailable: try again later")
        except TimeoutError as exc:
            if str(exc).startswith(_RESPONSE_TIMEOUT):
                return self._fail(context, request, exc, 500, message=str(exc), exception_line=True)
            return self._fail(context, request, exc, 500)
        except Exception as exc:  # noqa: BLE001 - any failure of the app answers 500
            return self._fail(context, request, exc, 500)
        if DRAINING.active:
            resp.force_close()  # the server is shutting down: tell the client not to reuse the connection
        if info:
            self.logger.done_request(context, track, _access(context, request, resp.status))
        return resp

    async def _run(self, context: EventContext, request: web.Request,
                   upload: "Optional[Upload]" = None) -> web.StreamResponse:
        authorize(context, request, self.auth_methods)
        query_args = self.query_args.parse(request)
        payload: Any = None
        raw: Optional[bytes] = None
        hook: Optional[PreprocessHook] = None
        if self.event_type == EventType.GET:
            if "?" in request.raw_path:  # else aiohttp would parse an empty query string
                payload = request.query.get("payload")
        elif upload is not None:
            hook = PreprocessHook(headers=request.headers, multipart_reader=upload.reader(),
                                  file_hook_factory=upload.file_hook)
        elif self.input_type is not None or self.has_preprocess:
            raw = await read_body(request, self.max_body_size)
            if self.input_type is not None:
                payload = parse_json_payload(raw, self.input_type)
        if self.has_preprocess:
            if hook is None:
                hook = PreprocessHook(headers=request.headers, payload_raw=raw)
            payload = await self.engine.preprocess(
                context=context, query_args=query_args, payload=payload, request=hook
            )
            if hook.status is not None and hook.status != 200:
                response = PostprocessHook(request)
                response.set_status(hook.status)
                return event_response(context, payload, response)
        # a body just parsed is held by nobody else: no copy before the first step (unless a hook made it)
        result = await self.engine.execute(
            context=context, query_args=query_args, payload=payload, owned=not self.has_preprocess
        )
        if not self.has_postprocess:
            return event_response(context, result, None)
        response = PostprocessHook(request)
        if hook is not None and hook.status is not None:
            response.set_status(hook.status)
        body = await self.engine.postprocess(context=context, payload=result, response=response)
        return event_response(context, body, response)

    async def _run_upload(self, context: EventContext, request: web.Request,
                          new_upload: "Callable[[web.Request], Upload]") -> web.StreamResponse:
        """Run a MULTIPART event: the files saved from an upload that is then refused are removed."""
        upload = new_upload(request)
        try:
            resp = await self._run(context, request, upload)
        except BaseException:
            await self._discard(context, upload)
            raise
        if resp.status >= 400:
            await self._discard(context, upload)
        return resp

    async def _discard(self, context: EventContext, upload: "Upload") -> None:
        left = await upload.discard()
        if left:
            self.logger.warning(context, f"Could not remove files of a refused upload: {', '.join(left)}")

    def _fail(
        self, context: EventContext, request: web.Request, exc: BaseException, status: int, *,
        ignored: bool = False, message: Optional[str] = None, exception_line: bool = False,
    ) -> web.Response:
        """Log the failure (IGNORED for client errors, FAILED with the trace otherwise) and answer it.

        ``exception_line``: ``tb`` holds the exception line, as 0.24 answered ``BadRequest``,
        ``Unauthorized`` and the response timeout; other errors have no such line.
        """
        logger = self.logger
        if ignored:
            if logger.isEnabledFor(logging.WARNING):
                logger.warning(context, f"{type(exc).__name__}: {exc}")
                logger.ignored(context, extra={"extra": _access(context, request, status)})
        else:
            logger.error(context, exc)
            logger.failed(context, extra={"extra": _access(context, request, status)})
            if message is None and not self.traceback:
                message = "Internal server error"
        resp = error_response(exc, status, context=context, traceback=self.traceback, message=message,
                              exception_line=exception_line)
        if status == 413 or DRAINING.active:
            resp.force_close()  # the rest of the body is not read, or the server stops: no reuse
        return resp


def _access(context: EventContext, request: web.Request, status: int) -> str:
    """Extra column of the DONE / IGNORED / FAILED line, which is also the access line of the request."""
    # formatted here, as the logger would format the same values: this runs for every request at INFO
    # (%-formatting: about a third less time than the f-string with a float format; ``%.3f`` rounds
    # as ``duration_ms`` does, so the milliseconds are not rounded twice)
    created = context._created
    return "response.status=%d | metrics.duration=%.3f | http.request=%s %s | http.peer=%s" % (  # noqa: UP031
        status, (time.time() - created) * 1000.0, request.method, request.raw_path, request.remote,
    )


def _add(router: web.UrlDispatcher, method: str, path: str, handler: EventRoute, label: str, added: Set[Any],
         undocumented: List[str]) -> None:
    """Add the route of an event; a GET event also answers HEAD (as aiohttp's ``add_get`` and 0.24 do)."""
    plain = _plain(handler)
    wrapped = openapi.add_route(method, path, plain)
    if wrapped is not plain:
        wrapped = plain_http_errors(wrapped)  # validation failures are raised before the event runs
    elif openapi.spec is not None:
        undocumented.append(f"{method} {path}")
    # counted around validation too; unchanged (nothing per request) when metrics are off
    wrapped = measure_route(wrapped, handler.engine.app_key, handler.event_name, handler.event_type.value)
    for each in ("GET", "HEAD") if method == "GET" else (method,):
        try:
            route = router.add_route(each, path, wrapped)
        except RuntimeError as exc:
            raise ValueError(f"{label}: route {each} {path} is taken by another event ({exc})") from None
        added.add(route)


def add_app_routes(
    web_app: web.Application,
    engine: AppEngine,
    plugin_engines: List[AppEngine],
    streams: StreamControl,
    logger: EngineLoggerWrapper,
) -> List[Any]:
    """Add the routes of an app and return them.

    They are its Standalone web events, the OnApp web events of its plugins, and the management
    routes of its STREAM and SERVICE events.
    """
    app_config = engine.app_config
    added: Set[Any] = set()
    undocumented: List[str] = []
    router = web_app.router
    for event_name, info in engine.effective_events.items():
        if info.plug_mode != EventPlugMode.STANDALONE:
            continue
        if info.type in _WEB_EVENTS:
            path = app_route_name(app_config.app, event_name=event_name, override_route_name=info.route)
            handler = EventRoute(engine=engine, host_config=app_config, event_name=event_name, event_info=info,
                                 logger=engine.event_logger(event_name))
            _add(router, "GET" if info.type == EventType.GET else "POST", path, handler,
                 f"{app_config.app_key()} {event_name}", added, undocumented)
        elif info.type in (EventType.STREAM, EventType.SERVICE):
            base = mgmt_route_name(app_config, event_name)
            for action in ("start", "stop"):
                route = router.add_route("GET", f"{base}/{action}", streams.mgmt_handler(event_name, action))
                added.add(route)
    for plugin_engine in plugin_engines:
        plugin_config = plugin_engine.app_config
        for event_name, info in plugin_engine.effective_events.items():
            if info.plug_mode != EventPlugMode.ON_APP or info.type not in _WEB_EVENTS:
                continue
            path = app_route_name(app_config.app, event_name=event_name, plugin=plugin_config.app,
                                  override_route_name=info.route)
            handler = EventRoute(engine=plugin_engine, host_config=app_config, event_name=event_name,
                                 event_info=info, logger=plugin_engine.event_logger(event_name))
            _add(router, "GET" if info.type == EventType.GET else "POST", path, handler,
                 f"{app_config.app_key()} {plugin_config.app_key()} {event_name}", added, undocumented)
    if undocumented:
        logger.warning(app_config.app_key(), f"Not in the API spec, requests not validated: {', '.join(undocumented)}")
    return list(added)


def _plain(handler: EventRoute) -> Any:
    # aiohttp wants a coroutine function; a bound method keeps the call as cheap as a closure
    return handler.__call__
