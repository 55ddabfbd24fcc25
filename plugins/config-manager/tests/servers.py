"""Real ``hopeit_server run`` processes of the test apps, and small aiohttp hosts that misbehave.

A cluster test starts three servers on free loopback ports (config-manager loaded on each) and
asks one of them for the cluster view; hosts that refuse, hang or answer garbage stand beside
them. Everything started here is stopped by the fixture that started it.
"""

import asyncio
import inspect
import json
import os
import socket
import subprocess
import time
from pathlib import Path
from typing import Awaitable, Callable, Dict, List, Optional, Union

from aiohttp import web
from hopeit.testing.servers import free_port, server_command

TESTS = Path(__file__).parent
CONFIG = TESTS / "config"

#: Makes the response a misbehaving host sends (a new one per request; may be a coroutine).
Answer = Callable[[], Union[web.StreamResponse, Awaitable[web.StreamResponse]]]




class HopeitServer:
    """One ``hopeit_server run`` process with the test apps importable; output goes to a log file."""

    def __init__(
        self, name: str, config_files: List[Path], workdir: Path, env: Optional[Dict[str, str]] = None
    ) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config_files = config_files
        self.workdir = workdir
        self.env = {
            **os.environ,
            **(env or {}),
            "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
        }
        self.log = workdir / f"{name}.log"
        self.proc: Optional[subprocess.Popen[bytes]] = None

    def start(self) -> "HopeitServer":
        """Start the process (``--api-auto``: query args are validated against the OpenAPI spec)."""
        args = [
            *server_command(), "run", "--config-files", ",".join(str(path) for path in self.config_files),
            "--host", "127.0.0.1", "--port", str(self.port), "--api-auto", "1.0;config-manager tests;test apps",
        ]
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(args, env=self.env, cwd=self.workdir, stdout=out, stderr=subprocess.STDOUT)
        return self

    @property
    def pid(self) -> str:
        """The process id, as config-manager reports it."""
        assert self.proc is not None
        return str(self.proc.pid)

    def output(self) -> str:
        """What the server printed so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_ready(self, ready_path: str, timeout: float = 60.0) -> "HopeitServer":
        """Poll ``ready_path`` until it answers 200; fail with the server's output if it exits or never does."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1.0) as sock:
                    sock.sendall(f"GET {ready_path} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
                    if sock.recv(16)[8:13] == b" 200 ":
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{self.name} not ready after {timeout} s:\n{self.output()}")

    def stop(self) -> None:
        """Terminate the process and wait for it; kill it if it does not stop in time."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


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
