"""Real ``hopeit_server run`` processes of the test apps, and small aiohttp hosts that misbehave.

A cluster test starts three servers on free loopback ports (config-manager loaded on each) and
asks one of them for the cluster view; hosts that refuse, hang or answer garbage stand beside
them. Everything started here is stopped by the fixture that started it.
"""

import asyncio
import inspect
import json
from pathlib import Path
from typing import Awaitable, Callable, Dict, List, Optional, Union

from aiohttp import web
from hopeit.testing.servers import HopeitServer, free_port

TESTS = Path(__file__).parent
CONFIG = TESTS / "config"

#: Makes the response a misbehaving host sends (a new one per request; may be a coroutine).
Answer = Callable[[], Union[web.StreamResponse, Awaitable[web.StreamResponse]]]


def app_server(
    name: str, config_files: List[Path], workdir: Path, env: Optional[Dict[str, str]] = None
) -> HopeitServer:
    """A server of the test apps (``--api-auto``: query args are validated against the OpenAPI spec), not started."""
    return HopeitServer(name, config_files, workdir, env=env, pythonpath=[TESTS],
                        args=["--api-auto", "1.0;config-manager tests;test apps"])


def start_all(servers: List[HopeitServer], ready_path: str) -> List[HopeitServer]:
    """Start the processes together (start-up is mostly imports), then wait for each to answer."""
    for server in servers:
        server.start()
    try:
        for server in servers:
            server.wait_ready(ready_path)
    except AssertionError:
        stop_all(servers)
        raise
    return servers


def stop_all(servers: List[HopeitServer]) -> None:
    """Stop every process that was started."""
    for server in servers:
        server.stop()


def plugin_config_with_timeout(workdir: Path, client_timeout: float) -> Path:
    """A copy of the packaged plugin-config.json with another ``client_timeout``, to load by file."""
    from hopeit.config_manager.plugin import config_path

    config = json.loads(config_path().read_text())
    config["settings"]["config_manager_client"]["client_timeout"] = client_timeout
    path = workdir / "config-manager-plugin.json"
    path.write_text(json.dumps(config))
    return path


class MisbehavingHost:
    """An aiohttp server on a free port that answers every request with what ``answer`` makes (or never)."""

    def __init__(self, answer: Optional[Answer]) -> None:
        self.answer = answer
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        #: the query args of each request received
        self.queries: List[Dict[str, str]] = []
        self.runner: Optional[web.AppRunner] = None
        self._never = asyncio.Event()

    async def start(self) -> "MisbehavingHost":
        """Listen on the port."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self.runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        """Stop listening; a request still hanging is cancelled."""
        self._never.set()
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.queries.append(dict(request.query))
        if self.answer is None:
            await self._never.wait()  # hang until the host is stopped
            raise web.HTTPServiceUnavailable()
        response = self.answer()
        return await response if inspect.isawaitable(response) else response


#: Answers that are not a ``RuntimeApps``, by name: one host each in the tests.
GARBAGE_ANSWERS: Dict[str, Answer] = {
    "not_json": lambda: web.Response(text="<html>hello</html>", content_type="text/html"),
    "wrong_shape": lambda: web.json_response({"apps": [1, 2, 3]}),
    "json_list": lambda: web.json_response([{"apps": {}}]),
    "server_error": lambda: web.json_response({"msg": "boom", "tb": []}, status=500),
    "not_found": lambda: web.Response(status=404, text="404: Not Found"),
}
