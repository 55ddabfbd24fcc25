"""The 0.24 module paths of the web server keep working, as aliases of the modules in ``hopeit.web``."""

import subprocess
import sys

import hopeit.server.api
import hopeit.server.web
import hopeit.server.wsgi
from hopeit.web import args, openapi, process, server, supervisor


def test_stateful_modules_are_aliased_not_copied() -> None:
    """``hopeit.server.web`` and ``hopeit.server.api`` are the very modules holding the server and the spec."""
    assert hopeit.server.web is server
    assert hopeit.server.api is openapi
    openapi.spec = {"openapi": "3.0.3"}
    try:
        assert hopeit.server.api.spec == {"openapi": "3.0.3"}
    finally:
        openapi.clear()


def test_wsgi_names_are_those_of_the_web_package() -> None:
    """0.24's runner module re-exports the run functions (it holds no state)."""
    assert hopeit.server.wsgi.run_app is server.run_app
    assert hopeit.server.wsgi.serve_app is process.serve_app
    assert hopeit.server.wsgi.run_workers is supervisor.run_workers
    assert hopeit.server.wsgi.max_workers is args.max_workers


def test_python_m_of_every_path_shows_the_same_flags() -> None:
    """``python -m hopeit.web``, ``-m hopeit.server.web`` and ``-m hopeit.server.wsgi`` take the server flags."""
    for module in ("hopeit.web", "hopeit.server.web", "hopeit.server.wsgi"):
        done = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (module, done.stderr)
        assert "--config-files" in done.stdout and "--workers" in done.stdout, module


def test_the_event_runtime_never_imports_aiohttp() -> None:
    """Without the web package, the engine's runtime, app and test-kit modules load no aiohttp."""
    code = (
        "import sys\n"
        "import hopeit.server.engine, hopeit.server.runtime, hopeit.server.runtime_api, hopeit.server.stream_loop\n"
        "import hopeit.server.config, hopeit.server.logger, hopeit.app.context, hopeit.app.client\n"
        "import hopeit.testing.apps, hopeit.toolkit.auth, hopeit.streams.memory, hopeit.storage.memory\n"
        "print('aiohttp' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_worker_flag_typed_by_hand_fails_with_one_line() -> None:
    """``--worker`` is the supervisor's: options that are not its JSON exit 1 with one line, no traceback."""
    done = subprocess.run([sys.executable, "-m", "hopeit.web", "--worker", "{not json"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith("hopeit_server: error: ValueError: --worker takes the options the supervisor")
    assert "Traceback" not in done.stderr
