"""``/health`` and ``/ready`` of a server in this process (``hopeit.web.health``)."""

import asyncio
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Dict, List, Tuple

from aiohttp import web
from aiohttp.test_utils import TestServer
from hopeit.server import runtime
from hopeit.server.config import ServerConfig
from hopeit.testing.waiting import wait_until
from hopeit.web.health import add_probe_routes, loop_states
from hopeit.web.mgmt import StreamControl
from hopeit.web.response import AccessLine
from hopeit.web.state import STATE_KEY
from web_support import APP, PLUGIN, SERVER, MakeClient

APP_KEY = "web_test.1x0"
MGMT = "/mgmt/web-test/1x0"


async def _ready(client: Any) -> Tuple[int, Dict[str, Any]]:
    resp = await client.get("/ready")
    assert resp.headers["Cache-Control"] == "no-store"
    return resp.status, await resp.json()


def _checks(body: Dict[str, Any]) -> Dict[str, str]:
    return {name: check["status"] for name, check in body["checks"].items()}


async def test_health_answers_get_only(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.get("/health")
    assert resp.status == 200 and await resp.json() == {"status": "pass"}
    assert resp.headers["Cache-Control"] == "no-store"
    for method in ("POST", "PUT", "HEAD"):
        assert (await client.request(method, "/health")).status == 405
        assert (await client.request(method, "/ready")).status == 405


async def test_ready_without_start_streams_checks_apps_and_streams(web_client: MakeClient) -> None:
    client = await web_client()
    status, body = await _ready(client)
    assert status == 200 and body["status"] == "pass"
    assert body["checks"][f"app:{APP_KEY}"] == {"status": "pass", "output": "started"}
    assert body["checks"]["app:web_test_plugin.1x0"]["status"] == "pass"
    assert body["checks"][f"streams:{APP_KEY}"] == {"status": "pass", "output": "answering"}
    assert body["checks"][f"loop:{APP_KEY}:consume"] == {
        "status": "skip", "output": "not started (--start-streams not given)"}


async def test_ready_follows_loops_and_the_stream_manager(web_client: MakeClient) -> None:
    client = await web_client(start_streams=True)
    state = client.app[STATE_KEY]
    await wait_until(lambda: all(loop.state == "running" for loop in loop_states(state)), timeout=10)
    status, body = await _ready(client)
    assert status == 200
    assert _checks(body)[f"loop:{APP_KEY}:consume"] == "pass"
    assert _checks(body)[f"loop:{APP_KEY}:service"] == "pass"

    # an operator stops the consumer: reported, not a failure
    assert (await client.get(f"{MGMT}/consume/stop")).status == 200
    status, body = await _ready(client)
    assert status == 200
    assert body["checks"][f"loop:{APP_KEY}:consume"]["status"] == "skip"
    assert "/mgmt stop route" in body["checks"][f"loop:{APP_KEY}:consume"]["output"]
    assert (await client.get(f"{MGMT}/consume/start")).status == 200
    await wait_until(lambda: state.streams[APP_KEY].engine.is_running("consume"), timeout=10)
    assert (await _ready(client))[0] == 200

    # the stream backend goes away: 503, the manager failing and the consumer reconnecting
    engine = runtime.server.app_engine(app_key=APP_KEY)
    assert engine.stream_manager is not None
    memory = engine.stream_manager.stream_manager  # type: ignore[attr-defined]
    await memory.close()
    status, body = await _ready(client)
    assert status == 503 and body["status"] == "fail"
    assert body["checks"][f"streams:{APP_KEY}"] == {"status": "fail", "output": "failing: StreamOSError"}
    assert body["checks"][f"loop:{APP_KEY}:consume"]["output"] == "reconnecting: its stream manager is failing"
    await memory.connect()
    assert (await _ready(client))[0] == 200


async def test_a_crashed_or_finished_loop_fails_readiness(web_client: MakeClient) -> None:
    client = await web_client(start_streams=True)
    streams: StreamControl = client.app[STATE_KEY].streams[APP_KEY]

    async def crash() -> None:
        raise RuntimeError("loop died")

    async def finish() -> None:
        return None

    await streams.cancel_pending()
    crashed = asyncio.ensure_future(crash())
    finished = asyncio.ensure_future(finish())
    cancelled = asyncio.ensure_future(asyncio.Event().wait())
    await asyncio.wait([crashed, finished])
    cancelled.cancel()
    await asyncio.wait([cancelled])
    streams.tasks.update(consume=crashed, service=finished)
    status, body = await _ready(client)
    assert status == 503
    assert body["checks"][f"loop:{APP_KEY}:consume"] == {"status": "fail", "output": "crashed: RuntimeError"}
    assert body["checks"][f"loop:{APP_KEY}:service"] == {"status": "pass", "output": "finished"}
    streams.tasks.update(consume=cancelled)
    assert (await _ready(client))[1]["checks"][f"loop:{APP_KEY}:consume"]["output"] == "crashed: CancelledError"
    streams.tasks.update(consume=finished)
    assert (await _ready(client))[1]["checks"][f"loop:{APP_KEY}:consume"]["status"] == "fail"
    streams.tasks.clear()  # nothing left for the server's stop to wait for


def _server_json(tmp_path: Path, api: Dict[str, Any]) -> str:
    data = json.loads(Path(SERVER).read_text())
    data["api"] = api
    path = tmp_path / "server.json"
    path.write_text(json.dumps(data))
    return str(path)


async def test_probes_move_or_turn_off_through_server_config(web_client: MakeClient, tmp_path: Path) -> None:
    server = _server_json(tmp_path, {"health_path": None, "ready_path": "/k8s/ready"})
    client = await web_client([server, PLUGIN, APP])
    assert (await client.get("/health")).status == 404
    assert (await client.get("/ready")).status == 404
    assert (await client.get("/k8s/ready")).status == 200


async def test_a_route_of_an_app_keeps_its_path() -> None:
    app = web.Application()

    async def mine(request: web.Request) -> web.Response:
        return web.Response(text="app")

    app.router.add_get("/health", mine)
    warnings: List[str] = []

    class Logger:
        def warning(self, context: Any, text: str) -> None:
            warnings.append(text)

    state: Any = SimpleNamespace(server_config=ServerConfig(), logger=Logger())
    assert add_probe_routes(app, state) == ["/ready"]
    assert warnings == ["/health is a route of an app, so the probe of api.health_path is not served there: "
                        "set server config api.health_path to another path"]


async def test_probes_write_no_access_line(aiohttp_client: Any) -> None:
    from hopeit.server.web import init_web_server

    lines: List[str] = []

    class Lines:
        def info(self, context: Any, text: str) -> None:
            lines.append(text)

    server = TestServer(init_web_server([SERVER, PLUGIN, APP]))
    await server.start_server(access_log=Lines(), access_log_class=AccessLine)  # as the server runs at INFO
    client = await aiohttp_client(server)
    for path in ("/health", "/ready", "/health", "/no-such-route"):
        await client.get(path)
    await wait_until(lambda: lines, timeout=5)
    assert len(lines) == 1 and '"GET /no-such-route" 404' in lines[0]
