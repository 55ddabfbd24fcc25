"""``GET /health`` and ``GET /ready``: the liveness and readiness probes Kubernetes asks.

``/health`` answers 200 ``{"status": "pass"}`` whenever the process answers at all. ``/ready``
answers 200 when every check of ``hopeit.server.readiness`` passes and 503 when one fails, with
the detail of each check in JSON::

    {"status": "fail", "checks": {
        "app:simple_example.0x24": {"status": "pass", "output": "started"},
        "streams:simple_example.0x24": {"status": "fail", "output": "failing: StreamOSError"},
        "loop:simple_example.0x24:process_events": {"status": "fail", "output": "reconnecting: ..."}}}

Both ask no credentials and answer nothing secret (error types, never messages); they answer GET
only, with ``Cache-Control: no-store``, and write no access line at INFO (a DEBUG line instead):
probes every few seconds must not flood the log. Server config ``api.health_path`` and
``api.ready_path`` move them; ``null`` or ``""`` turns one off. They are added after the apps'
routes: a route of an app at the same path keeps it (and the probe is left out, with a warning).
"""

import asyncio
import logging
from typing import Any, Awaitable, Callable, List

from aiohttp import web
from hopeit.app.config import EventType
from hopeit.server.logger import engine_logger
from hopeit.server.readiness import LoopState, check_readiness
from hopeit.web.mgmt import StreamControl
from hopeit.web.response import CONTEXT_KEY
from hopeit.web.state import WebState

__all__ = ["add_probe_routes", "health_handler", "loop_states", "ready_handler"]

_NO_STORE = {"Cache-Control": "no-store"}


def _loop_state(streams: StreamControl, event_name: str, event_type: EventType, start_streams: bool) -> LoopState:
    """The state of one loop, from the task ``StreamControl`` keeps for it."""
    app_key = streams.engine.app_key
    task = streams.tasks.get(event_name)
    if task is None:
        return LoopState(app_key, event_name, event_type, "not started", expected=start_streams)
    if event_name in streams.stopped_on_purpose:
        return LoopState(app_key, event_name, event_type, "stopped" if task.done() else "stopping", expected=False)
    if not task.done():
        running = streams.engine.is_running(event_name)
        return LoopState(app_key, event_name, event_type, "running" if running else "starting")
    if task.cancelled():
        return LoopState(app_key, event_name, event_type, "crashed", error=asyncio.CancelledError())
    error = task.exception()
    if error is not None:
        return LoopState(app_key, event_name, event_type, "crashed", error=error)
    return LoopState(app_key, event_name, event_type, "finished")


def loop_states(state: WebState) -> List[LoopState]:
    """Every STREAM and SERVICE loop of the apps this server started, in app and event order."""
    return [
        _loop_state(streams, name, info.type, state.start_streams)
        for streams in list(state.streams.values())
        for name, info in streams.engine.effective_events.items()
        if info.type in (EventType.STREAM, EventType.SERVICE)
    ]


def _quiet(request: web.Request, status: int) -> None:
    """No INFO access line for a probe (the access logger skips requests that log their own): DEBUG only."""
    request[CONTEXT_KEY] = None
    logger = engine_logger()
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug("server", f"{request.remote} \"{request.method} {request.path}\" {status}")


async def health_handler(request: web.Request) -> web.Response:
    """``/health``: 200 ``{"status": "pass"}`` while the process answers."""
    _quiet(request, 200)
    return web.json_response({"status": "pass"}, headers=_NO_STORE)


def ready_handler(state: WebState) -> Callable[[web.Request], Awaitable[web.Response]]:
    """``/ready`` of the server keeping ``state``: 200 when ready, 503 when a check fails."""

    async def ready(request: web.Request) -> web.Response:
        readiness = await check_readiness([app.app_key() for app in state.apps], loop_states(state))
        status = 200 if readiness.ok else 503
        _quiet(request, status)
        return web.json_response(readiness.as_json(), status=status, headers=_NO_STORE)

    return ready


def _taken(web_app: web.Application, path: str) -> bool:
    return any(resource.canonical == path for resource in web_app.router.resources())


def add_probe_routes(web_app: web.Application, state: WebState) -> List[str]:
    """Add the probes of server config ``api`` (``/health``, ``/ready`` by default); the paths added.

    Call it after the apps added their routes: a path an app already serves stays the app's.
    """
    api = state.server_config.api
    handlers: List[Any] = [
        ("health_path", api.health_path, health_handler), ("ready_path", api.ready_path, ready_handler(state))
    ]
    added: List[str] = []
    for key, path, handler in handlers:
        if not path:
            continue
        if _taken(web_app, path):
            logger = state.logger or engine_logger()
            logger.warning("server", f"{path} is a route of an app, so the probe of api.{key} is not served there: "
                                     f"set server config api.{key} to another path")
            continue
        web_app.router.add_get(path, handler, allow_head=False)
        added.append(path)
    return added
