"""Helpers and fixtures of the web tests: the test app on sys.path, its environment, servers and clients.

Kept out of ``conftest.py`` so tests import them by a name no other test folder uses.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
import warnings
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, Iterator, List, Optional

import aiohttp
import pytest
from hopeit.testing.ports import listening_here
from hopeit.testing.servers import free_port

with warnings.catch_warnings():
    # cryptography (under PyJWT) warns once, on import, that Python 3.8 is deprecated: import it
    # here, quietly, so the warning does not turn into an error inside a test
    warnings.simplefilter("ignore")
    import jwt  # noqa: F401

APP_DIR = Path(__file__).parent / "app"
CONFIG = APP_DIR / "config"
SERVER = str(CONFIG / "server.json")
SERVER_AUTH = str(CONFIG / "server-auth.json")
PLUGIN = str(CONFIG / "plugin.json")
APP = str(CONFIG / "app.json")
BASE = "/api/web-test/1x0"

if str(APP_DIR) not in sys.path:
    sys.path.insert(0, str(APP_DIR))


@pytest.fixture(autouse=True)
def web_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Dict[str, str]:
    """Environment read by the test configs: own uploads folder, keys folder and streams per test."""
    from web_test_app import state

    state.SETUP_RUNS[0] = 0
    state.CONSUMED.clear()
    state.SERVICE_ITEMS[0] = 0
    state.PLUGIN_SETUP_HOSTS.clear()
    env = {
        "HOPEIT_TEST_LOG_LEVEL": "WARNING",
        "HOPEIT_TEST_UPLOADS": str(tmp_path / "uploads"),
        "HOPEIT_TEST_SECRETS": str(tmp_path / "secrets"),
        "HOPEIT_TEST_STREAMS": f"web-test-{uuid.uuid4()}",
    }
    (tmp_path / "uploads").mkdir()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


Client = Any
MakeClient = Callable[..., Awaitable[Client]]


@pytest.fixture
async def web_client(aiohttp_client: Any) -> AsyncIterator[MakeClient]:
    """``await web_client(files, start_streams=..., api_auto=...)``: a test client of a fresh server."""
    from hopeit.server.web import init_web_server

    async def make(config_files: Optional[List[str]] = None, **kwargs: Any) -> Client:
        app = init_web_server(config_files or [SERVER, PLUGIN, APP], **kwargs)
        return await aiohttp_client(app)

    yield make


class ServerProcess:
    """A server started as a user would, in its own process."""

    def __init__(self, args: List[str], env: Dict[str, str], port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        python_path = os.pathsep.join([str(APP_DIR), os.environ.get("PYTHONPATH", "")])
        full_env = {**os.environ, **env, "PYTHONPATH": python_path}
        self.started = time.monotonic()
        self._output: Optional[str] = None
        self.proc = subprocess.Popen(args, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def wait_ready(self, path: str = f"{BASE}/pid", timeout: float = 20.0) -> float:
        """Seconds from start until the first answer."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}: {self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(f"GET {path} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
                    answered = sock.recv(16)[8:13] == b" 200 "
            except OSError:
                answered = False
            if answered and listening_here(self.port, self.proc.pid) is not False:
                return time.monotonic() - self.started
            time.sleep(0.05)
        raise AssertionError(f"server not ready: {self.output()}")

    def output(self) -> str:
        if self.proc.poll() is None:
            return "(running)"
        if self._output is None:
            assert self.proc.stdout is not None
            self._output = self.proc.stdout.read().decode(errors="replace")
            self.proc.stdout.close()
        return self._output

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.output()
        return code


@pytest.fixture
def server_process(web_env: Dict[str, str]) -> Iterator[Callable[..., ServerProcess]]:
    """``server_process(extra_args, command=...)`` starts ``python -m hopeit.server.web`` on a free port."""
    started: List[ServerProcess] = []

    def start(extra: Optional[List[str]] = None, command: Optional[List[str]] = None,
              config_files: str = f"{SERVER},{PLUGIN},{APP}", port: Optional[int] = None) -> ServerProcess:
        port = port or free_port()
        base = command or [sys.executable, "-m", "hopeit.server.web"]
        args = [*base, "--port", str(port), "--host", "127.0.0.1", "--config-files", config_files, *(extra or [])]
        proc = ServerProcess(args, web_env, port)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()


async def get_json(session: aiohttp.ClientSession, url: str, **kwargs: Any) -> Any:
    async with session.get(url, **kwargs) as resp:
        return resp.status, await resp.json()
