"""Management of STREAM and SERVICE events over HTTP: ``/mgmt/<app>/<ver>/<event>/start|stop``."""

import asyncio
from typing import Any, Dict

from aiohttp import web
from hopeit.app.config import AppConfig, EventType
from hopeit.server.engine import AppEngine
from hopeit.server.names import route_name
from hopeit.server.web_response import error_response

__all__ = ["StreamControl", "mgmt_route_name"]


def mgmt_route_name(app_config: AppConfig, event_name: str) -> str:
    """``/mgmt/<app>/<ver>/<event path>`` of a STREAM or SERVICE event (``.`` and ``$`` become ``/``)."""
    parts = event_name.replace("$", "/").replace(".", "/").split("/")
    return route_name("mgmt", app_config.app.name, app_config.app.version, *parts)


class StreamControl:
    """Starts and stops the read and service loops of an app engine, and waits for them on stop."""

    def __init__(self, engine: AppEngine) -> None:
        self.engine = engine
        self.tasks: Dict[str, asyncio.Task[Any]] = {}

    def running(self, event_name: str) -> bool:
        """True while a loop task of the event is alive (also during its start delay)."""
        task = self.tasks.get(event_name)
        return task is not None and not task.done()

    def start(self, event_name: str) -> None:
        """Spawn the read loop (STREAM) or service loop (SERVICE) of an event.

        :raises RuntimeError: the event is already running.
        """
        kind = "Service" if self.engine.effective_events[event_name].type == EventType.SERVICE else "Stream"
        if self.running(event_name) or self.engine.is_running(event_name):
            raise RuntimeError(f"{kind} already running: {event_name}")
        if kind == "Service":
            coro = self.engine.service_loop(event_name=event_name)
        else:
            coro = self.engine.read_stream(event_name=event_name)
        self.tasks[event_name] = asyncio.ensure_future(coro)

    async def stop(self, event_name: str) -> None:
        """Ask a loop to stop after its current batch.

        :raises RuntimeError: the event is not running.
        """
        if self.engine.is_running(event_name):
            await self.engine.stop_event(event_name)
            return
        task = self.tasks.get(event_name)
        if task is None or task.done():
            raise RuntimeError(f"Cannot stop non running event: {event_name}.")
        task.cancel()  # still waiting for its start delay: nothing read yet

    async def cancel_pending(self) -> None:
        """Cancel loops that did not stop with the engine (after ``AppEngine.stop``)."""
        pending = [t for t in self.tasks.values() if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    def mgmt_handler(self, event_name: str, action: str) -> Any:
        """Handler of ``<mgmt route>/start`` or ``/stop``: 200 empty, or 409 when it cannot."""

        async def handle(request: web.Request) -> web.Response:
            try:
                if action == "start":
                    self.start(event_name)
                else:
                    await self.stop(event_name)
            except RuntimeError as exc:
                return error_response(exc, 409)
            return web.Response(headers={"Server": ""})

        return handle
