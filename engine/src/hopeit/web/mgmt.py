"""Management of STREAM and SERVICE events over HTTP: ``/mgmt/<app>/<ver>/<event>/start|stop``.

Stopping a consumer is an operator's action: the routes ask for credentials as events do, with the
methods of server config ``auth.mgmt_auth_methods``, by default the server's
``auth.default_auth_methods``. Refused calls answer 401 and are logged.
"""

import asyncio
import logging
from typing import Any, Dict, List, Optional, Set

from aiohttp import web
from hopeit.app.config import AppConfig, EventType
from hopeit.app.context import EventContext
from hopeit.app.errors import BadRequest, Unauthorized
from hopeit.contracts.settings import AuthType, ServerConfig
from hopeit.server.engine import AppEngine
from hopeit.server.logger import engine_logger
from hopeit.server.names import route_name
from hopeit.web.request import authorize
from hopeit.web.response import error_response
from hopeit.web.tracking import track_ids

__all__ = ["StreamControl", "mgmt_auth_methods", "mgmt_route_name"]

#: how long ``<mgmt route>/start`` waits for a loop that was just stopped to finish its batch
STOPPING_WAIT_SECONDS = 10.0


def mgmt_route_name(app_config: AppConfig, event_name: str) -> str:
    """``/mgmt/<app>/<ver>/<event path>`` of a STREAM or SERVICE event (``.`` and ``$`` become ``/``)."""
    parts = event_name.replace("$", "/").replace(".", "/").split("/")
    return route_name("mgmt", app_config.app.name, app_config.app.version, *parts)


def mgmt_auth_methods(server_config: Optional[ServerConfig]) -> List[AuthType]:
    """Auth methods of the management routes: ``auth.mgmt_auth_methods``, else ``auth.default_auth_methods``."""
    if server_config is None:
        return [AuthType.UNSECURED]
    auth = server_config.auth
    return list(auth.mgmt_auth_methods or auth.default_auth_methods or [AuthType.UNSECURED])


class StreamControl:
    """Starts and stops the read and service loops of an app engine, and waits for them on stop."""

    def __init__(self, engine: AppEngine) -> None:
        self.engine = engine
        self.tasks: Dict[str, asyncio.Task[Any]] = {}
        self._stopping: Set[str] = set()  # asked to stop, finishing their current batch
        #: loops an operator stopped through ``/stop`` (until started again): not failures for ``/ready``
        self.stopped_on_purpose: Set[str] = set()
        server_config = engine.app_config.server
        self.auth_methods = mgmt_auth_methods(server_config)
        domain = server_config.auth.domain if server_config is not None else None
        self._auth_info: Dict[str, Any] = {"domain": domain} if domain else {}

    def running(self, event_name: str) -> bool:
        """True while a loop task of the event is alive (also during its start delay)."""
        task = self.tasks.get(event_name)
        return task is not None and not task.done()

    def start(self, event_name: str) -> None:
        """Spawn the read loop (STREAM) or service loop (SERVICE) of an event.

        :raises RuntimeError: the event is already running.
        """
        kind = "Service" if self.engine.effective_events[event_name].type == EventType.SERVICE else "Stream"
        if event_name in self._stopping and not self.running(event_name):
            self._stopping.discard(event_name)
        if self.running(event_name) or self.engine.is_running(event_name):
            raise RuntimeError(f"{kind} already running: {event_name}")
        self.stopped_on_purpose.discard(event_name)
        if kind == "Service":
            coro = self.engine.service_loop(event_name=event_name)
        else:
            coro = self.engine.read_stream(event_name=event_name)
        self.tasks[event_name] = asyncio.ensure_future(coro)

    async def stop(self, event_name: str) -> None:
        """Ask a loop to stop after its current batch.

        :raises RuntimeError: the event is not running (or already stopping).
        """
        if self.engine.is_running(event_name):
            await self.engine.stop_event(event_name)
            self._stopping.add(event_name)
            self.stopped_on_purpose.add(event_name)
            return
        task = self.tasks.get(event_name)
        if task is None or task.done() or event_name in self._stopping:
            raise RuntimeError(f"Cannot stop non running event: {event_name}.")
        task.cancel()  # still waiting for its start delay: nothing read yet
        self.stopped_on_purpose.add(event_name)

    async def finish_stopping(self, event_name: str, timeout: float = STOPPING_WAIT_SECONDS) -> None:
        """Wait until a loop asked to stop has finished its current batch (no wait when none was).

        :raises RuntimeError: the loop is still busy after ``timeout`` seconds.
        """
        task = self.tasks.get(event_name)
        if event_name not in self._stopping or task is None:
            return
        if not task.done():
            await asyncio.wait({task}, timeout=timeout)
        if not task.done():
            raise RuntimeError(f"{event_name} is still finishing its current batch after being stopped: try again")
        self._stopping.discard(event_name)

    async def cancel_pending(self) -> None:
        """Cancel loops that did not stop with the engine (after ``AppEngine.stop``)."""
        pending = [t for t in self.tasks.values() if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    def _authorized(self, event_name: str, action: str, request: web.Request) -> Optional[web.Response]:
        """None when the request may manage the event, else the 401 (or 400) response to send."""
        engine = self.engine
        context = EventContext(
            app_config=engine.app_config, plugin_config=engine.app_config, event_name=event_name,
            settings=engine.event_settings(event_name), track_ids=track_ids(request), auth_info=dict(self._auth_info),
        )
        try:
            authorize(context, request, self.auth_methods)
        except (Unauthorized, BadRequest) as exc:
            status = 401 if isinstance(exc, Unauthorized) else 400
            logger = engine_logger()
            if logger.isEnabledFor(logging.WARNING):
                logger.warning(context, f"Refused {action} of {event_name} through {request.path}: "
                                        f"{type(exc).__name__}: {exc} (peer {request.remote})")
            return error_response(exc, status, context=context)
        return None

    def mgmt_handler(self, event_name: str, action: str) -> Any:
        """Handler of ``<mgmt route>/start`` or ``/stop``: 200 empty, 409 when it cannot, 401 unauthorized.

        A start right after a stop waits for the stopped loop to finish its batch (up to
        ``STOPPING_WAIT_SECONDS``), so that stop then start restarts the loop.
        """

        async def handle(request: web.Request) -> web.Response:
            refused = self._authorized(event_name, action, request)
            if refused is not None:
                return refused
            try:
                if action == "start":
                    await self.finish_stopping(event_name)
                    self.start(event_name)
                else:
                    await self.stop(event_name)
            except RuntimeError as exc:
                return error_response(exc, 409)
            logger = engine_logger()
            if logger.isEnabledFor(logging.INFO):
                logger.info(self.engine.app_key, f"{action} of {event_name} requested through {request.path}")
            return web.Response(headers={"Server": ""})

        return handle
