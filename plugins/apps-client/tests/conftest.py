"""Small real aiohttp servers answering like a hopeit app, and a calling app config around them.

``FakeHost`` serves the routes of app ``target-app`` version ``1.0`` the way hopeit.engine does:
``/api/target-app/1x0/<event>``, atomic results under the event name, errors as
``{"msg": ..., "tb": []}``, ``X-Track-*`` headers read as track ids and echoed back. Each host
records the requests it got, and can be stopped and started again on the same port.
"""

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable, Dict, List, Optional

import pytest
from aiohttp import web
from hopeit.app.client import register_app_connections, stop_app_connections
from hopeit.app.config import AppConfig, parse_app_config_json
from hopeit.dataobjects import dataobject
from hopeit.testing.servers import free_port

BASE = "/api/target-app/1x0"


@dataobject
@dataclass
class Something:
    id: str
    user: str = ""
    host: str = ""


@dataobject
@dataclass
class SomethingNotFound:
    path: str
    id: str


@dataclass
class Seen:
    method: str
    path: str
    headers: Dict[str, str]
    query: Dict[str, List[str]]
    body: str



def _json(event: str, value: Any, status: int = 200) -> web.Response:
    body = value if isinstance(value, (dict, list)) else {event: value}
    return web.json_response(body, status=status)


class FakeHost:
    """One host of ``target-app``; ``behaviour`` may replace any event's answer."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.seen: List[Seen] = []
        self.behaviour: Dict[str, Callable[[web.Request], Any]] = {}
        self.runner: Optional[web.AppRunner] = None

    async def start(self) -> "FakeHost":
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self.runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port, reuse_address=True).start()
        return self

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    def hits(self, path: str = "") -> int:
        return sum(1 for s in self.seen if s.path.endswith(path))

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.text()
        query: Dict[str, List[str]] = {}
        for key, value in request.query.items():
            query.setdefault(key, []).append(value)
        self.seen.append(Seen(request.method, request.path, dict(request.headers), query, body))
        event = request.path.rsplit("/", 1)[-1].replace("-", "_")
        custom = self.behaviour.get(event)
        response = custom(request) if custom is not None else self._default(event, request, body)
        if asyncio.iscoroutine(response):
            response = await response
        for key, value in request.headers.items():  # the engine echoes track ids
            if key.lower().startswith("x-track-"):
                response.headers[key] = value
        return response  # type: ignore[no-any-return]

    def _default(self, event: str, request: web.Request, body: str) -> web.Response:
        query = request.query
        if event == "query_something":
            item_id = query.get("item_id", "")
            if item_id.startswith("missing"):
                return _json(event, {"path": "/data", "id": item_id}, status=404)
            return _json(event, {"id": item_id, "user": query.get("user", ""), "host": self.name})
        if event == "list_somethings":
            count = int(query.get("count", "2"))
            return _json(event, [{"id": str(i), "host": self.name} for i in range(count)])
        if event == "save_something":
            data = json.loads(body)
            return _json(event, f"saved {data['id']} by {data['user']} at {self.name}")
        if event == "plain_text":
            return web.Response(text=f"plain from {self.name}", content_type="text/plain")
        if event == "fail":
            return _json(event, {"msg": "Internal server error", "tb": []}, status=500)
        if event == "not_there":
            return _json(event, {"msg": f"Not found: {request.method} {request.path}", "tb": []}, status=404)
        return _json(event, {"path": request.path, "host": self.name})


class FakeClock:
    """Epoch time that moves only when a test says so: the hosts' breakers go by it, not by real time."""

    def __init__(self) -> None:
        self.time = time.time()

    def now(self) -> float:
        """The current fake time (epoch seconds)."""
        return self.time

    def advance(self, seconds: float) -> None:
        """Move time on by ``seconds``."""
        self.time += seconds


def fake_clock(client: Any) -> FakeClock:
    """Make the breakers of ``client`` (an ``AppsClient``) go by a fake clock from now on; returns it."""
    clock = FakeClock()
    client.clock = clock.now
    return clock


@pytest.fixture
async def hosts() -> AsyncIterator[List[FakeHost]]:
    started = [await FakeHost(f"host{i}").start() for i in range(2)]
    yield started
    for host in started:
        await host.stop()


TARGET_EVENTS = {
    "query_something": "GET",
    "list_somethings": "GET",
    "save_something": "POST",
    "plain_text": "GET",
    "fail": "GET",
    "not_there": "GET",
    "custom_route": "GET",
    "plugin_event": "GET",
}


def caller_config(settings: Dict[str, Any], *, connection: Optional[Dict[str, Any]] = None,
                  events: Optional[Dict[str, Any]] = None, extra: Optional[Dict[str, Any]] = None) -> AppConfig:
    """Config of app ``caller-app`` with connection ``target_conn`` to ``target-app`` 1.0."""
    config: Dict[str, Any] = {
        "app": {"name": "caller-app", "version": "1.0"},
        "engine": {"track_headers": ["session_id"]},
        "app_connections": {
            "target_conn": {"name": "target-app", "version": "1.0", "client": "apps-client", **(connection or {})}
        },
        "settings": {"target_conn": settings},
        "events": events if events is not None else {
            "caller_event": {
                "type": "GET",
                "connections": [
                    {"app_connection": "target_conn", "event": name, "type": method}
                    for name, method in TARGET_EVENTS.items()
                ],
            },
            "no_connections": {"type": "GET"},
        },
    }
    config.update(extra or {})
    return parse_app_config_json(json.dumps(config))


@pytest.fixture
async def started() -> AsyncIterator[Callable[[AppConfig], Any]]:
    """Start the app connections of a config as the engine does; stops them after the test."""
    keys: List[str] = []

    async def start(app_config: AppConfig) -> AppConfig:
        keys.append(app_config.app_key())
        await register_app_connections(app_config)
        return app_config

    yield start
    for key in keys:
        await stop_app_connections(key)
