"""A server imports what its configuration uses, at start-up, and nothing else (issue #19).

Each check runs in a fresh interpreter, as a server does: either a real ``hopeit_server run``
asked over HTTP what it has imported, or the web app built and started (``on_startup``: engines,
routes) by ``python -c``, printing ``sys.modules`` before any request.
"""

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional

import pytest
from hopeit.testing.servers import free_port
from web_support import ServerProcess

STARTUP_APP = Path(__file__).parent / "startup_app"
CONFIG = STARTUP_APP / "config"
SERVER = str(CONFIG / "server.json")
SERVER_AUTH = str(CONFIG / "server-auth.json")
APP = str(CONFIG / "app.json")
APP_BEARER = str(CONFIG / "app-bearer.json")
BASE = "/api/startup-test/1x0"

#: what serves the docs and validates requests against the OpenAPI spec
OPENAPI_TOOLING = ["aiohttp_swagger3", "fastjsonschema", "hopeit.web.swagger", "hopeit.web.openapi_schemas",
                   "hopeit.web.openapi_operations"]
#: what signs and verifies tokens
TOKEN_CRYPTO = ["jwt", "cryptography", "hopeit.toolkit.auth"]
#: what runs ``--workers N``
WORKERS = ["hopeit.web.supervisor"]
#: what records spans (``HOPEIT_OTEL=1`` only)
OPENTELEMETRY = ["opentelemetry", "hopeit.server.otel"]
#: what reads streams (apps with STREAM events), takes uploads (MULTIPART events), compresses stream
#: messages (``gzip``: the standard library's bz2 and lzma come with ``shutil`` anyway) and suggests
#: config keys (an unknown key)
UNUSED_PARTS = ["hopeit.server.stream_loop", "hopeit.server._stream_batch", "hopeit.server.stream_retries",
                "hopeit.web.multipart", "hopeit.streams.compression", "gzip", "difflib"]

_STARTED = """
import asyncio, json, sys
from aiohttp import web
from hopeit.web.server import init_web_server

async def main():
    api_auto = sys.argv[2].split(";") if sys.argv[2] else None
    app = init_web_server(sys.argv[1].split(","), api_auto=api_auto)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()  # what start-up does before the server answers: engines start, routes are added
    print(json.dumps(sorted(sys.modules)))
    await runner.cleanup()

asyncio.run(main())
"""


def _env(tmp_path: Path) -> Dict[str, str]:
    python_path = os.pathsep.join(p for p in (str(STARTUP_APP), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": python_path, "HOPEIT_TEST_SECRETS": str(tmp_path / "secrets")}


def _loaded_at_start(tmp_path: Path, config_files: List[str], api_auto: str = "") -> List[str]:
    """``sys.modules`` of a fresh interpreter that built and started the web app of ``config_files``."""
    done = subprocess.run([sys.executable, "-c", _STARTED, ",".join(config_files), api_auto],
                          env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    modules: List[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return modules


def _among(modules: List[str], names: List[str]) -> List[str]:
    """Which of ``names`` (packages included) are in ``modules``."""
    return sorted({n for n in names for m in modules if m == n or m.startswith(f"{n}.")})


def test_typical_server_imports_no_openapi_tooling_no_token_crypto_no_supervisor(tmp_path: Path) -> None:
    modules = _loaded_at_start(tmp_path, [SERVER, APP])
    assert "hopeit.web.routes" in modules  # the app was started
    assert _among(modules, OPENAPI_TOOLING) == []
    assert _among(modules, TOKEN_CRYPTO) == []
    assert _among(modules, WORKERS) == []
    assert _among(modules, OPENTELEMETRY) == []
    assert _among(modules, UNUSED_PARTS) == []


def test_api_auto_loads_openapi_tooling_at_start(tmp_path: Path) -> None:
    modules = _loaded_at_start(tmp_path, [SERVER, APP], api_auto="1.0;startup;tests")
    assert _among(modules, OPENAPI_TOOLING) == sorted(OPENAPI_TOOLING)
    assert _among(modules, TOKEN_CRYPTO) == []


def test_auth_enabled_loads_token_crypto_and_keys_at_start(tmp_path: Path) -> None:
    modules = _loaded_at_start(tmp_path, [SERVER_AUTH, APP])
    assert _among(modules, TOKEN_CRYPTO) == sorted(TOKEN_CRYPTO)
    assert (tmp_path / "secrets" / "public" / "startup_test.1x0_pub.pem").is_file()  # created at start
    assert _among(modules, OPENAPI_TOOLING) == []


def test_event_taking_tokens_loads_token_library_at_start_not_on_first_request(tmp_path: Path) -> None:
    """Auth is off in the server config, but an event accepts Bearer: its first request must not import jwt."""
    modules = _loaded_at_start(tmp_path, [SERVER, APP_BEARER])
    assert _among(modules, TOKEN_CRYPTO) == sorted(TOKEN_CRYPTO)


StartServer = Callable[..., ServerProcess]


@pytest.fixture
def hopeit_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[StartServer]:
    """``hopeit_server run`` of the typical app, as a user starts it, on a free port."""
    started: List[ServerProcess] = []
    monkeypatch.setenv("PYTHONPATH", _env(tmp_path)["PYTHONPATH"])  # ServerProcess adds the web tests' app

    def start(config_files: List[str], extra: Optional[List[str]] = None) -> ServerProcess:
        port = free_port()
        args = [sys.executable, "-m", "hopeit.cli.server", "run", "--host", "127.0.0.1", "--port", str(port),
                "--config-files", ",".join(config_files), *(extra or [])]
        server = ServerProcess(args, {"HOPEIT_TEST_SECRETS": str(tmp_path / "secrets")}, port)
        started.append(server)
        server.wait_ready(f"{BASE}/get-item?item_id=ready")
        return server

    yield start
    for server in started:
        server.stop()


def _served_modules(server: ServerProcess, names: List[str]) -> List[str]:
    """Which of ``names`` the running server has imported, as its ``loaded`` event answers."""
    url = f"{server.url}{BASE}/loaded?prefixes={','.join(names)}"
    with urllib.request.urlopen(url, timeout=10) as resp:  # a loopback test server
        loaded: List[str] = json.loads(resp.read())
    return _among(loaded, names)


def test_hopeit_server_run_serves_without_openapi_tooling_or_token_crypto(hopeit_server: StartServer) -> None:
    server = hopeit_server([SERVER, APP])
    assert _served_modules(server, OPENAPI_TOOLING + TOKEN_CRYPTO + WORKERS) == []


def test_hopeit_server_run_with_api_auto_serves_with_openapi_tooling(hopeit_server: StartServer) -> None:
    server = hopeit_server([SERVER, APP], ["--api-auto", "1.0;startup;tests"])
    assert _served_modules(server, OPENAPI_TOOLING + TOKEN_CRYPTO) == sorted(OPENAPI_TOOLING)


@pytest.mark.parametrize(("app", "where"), [
    ("app-bad-parameter.json", "/bad-parameter.get.parameters[0]"),
    ("app-bad-body.json", "/bad-body.post.requestBody"),  # left out of what requests are validated with
])
def test_api_auto_refuses_a_spec_that_is_not_openapi_3(tmp_path: Path, app: str, where: str) -> None:
    """The documented spec is checked whole (request bodies too), once, before the server answers."""
    done = subprocess.run([sys.executable, "-c", _STARTED, f"{SERVER},{CONFIG / app}", "1.0;startup;tests"],
                          env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("hopeit.app.api.APIError: API spec is not valid OpenAPI 3.0: data.paths."), last
    assert f"{where} must be valid" in last
