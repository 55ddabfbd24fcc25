"""What a server started from a terminal tells: the start-up summary, warnings, log lines on the console."""

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import List

from cli_support import (
    CONFIG,
    cli_env,  # noqa: F401 - the autouse fixture of these tests
)
from hopeit.testing.servers import free_port as _free_port


def _server_json(tmp_path: Path) -> Path:
    """Logs at INFO to files under tmp_path (not console only), docs path configured."""
    path = tmp_path / "server.json"
    path.write_text(json.dumps({
        "logging": {"log_level": "INFO", "log_path": f"{tmp_path}/logs/"},
        "streams": {"delay_auto_start_seconds": 0, "connection_str": "${HOPEIT_TEST_STREAMS}"},
        "api": {"docs_path": "/api/docs"},
    }))
    return path


def _command(tmp_path: Path, port: int, *flags: str) -> List[str]:
    server_json = tmp_path / "server.json"
    if not server_json.exists():
        _server_json(tmp_path)
    config_files = f"{server_json},{CONFIG / 'plugin.json'},{CONFIG / 'app.json'}"
    return [str(Path(sys.executable).parent / "hopeit_server"), "run", "--host", "127.0.0.1", "--port", str(port),
            "--config-files", config_files, *flags]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _serve_and_call(tmp_path: Path, *flags: str) -> str:
    """Start a server, wait for its summary, ask one good and one failing request; all it wrote."""
    port = _free_port()
    proc = subprocess.Popen(_command(tmp_path, port, *flags), env=dict(os.environ),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert proc.stdout is not None
        seen = b""
        while b"hopeit.engine serving" not in seen:
            line = proc.stdout.readline()
            assert line, seen.decode()
            seen += line
        assert _get(f"http://127.0.0.1:{port}/api/web-test/1x0/status") == 200
        assert _get(f"http://127.0.0.1:{port}/api/web-test/1x0/fail") == 500
    finally:
        proc.send_signal(signal.SIGTERM)
        # read() and not communicate(): that reads the pipe itself, without what readline() buffered
        rest = proc.stdout.read() if proc.stdout is not None else b""
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
    assert proc.returncode == 0, (seen + rest).decode()
    return (seen + rest).decode()


def test_summary_lists_routes_loops_docs_and_logs_and_warns(tmp_path: Path) -> None:
    out = _serve_and_call(tmp_path, "--no-console-log")
    summary = out[out.index("hopeit.engine serving"):]
    assert summary.startswith("hopeit.engine serving 2 app(s) on http://127.0.0.1:")
    assert "  web-test 1.0\n" in summary
    assert "    GET     /api/web-test/1x0/get-item\n" in summary
    assert "    POST    /api/web-test/1x0/post-item\n" in summary
    assert "    STREAM  consume  (not started)\n" in summary
    assert f"logs: {tmp_path}/logs/ (one file per event and process); console: off" in summary
    assert ("warning: 2 STREAM/SERVICE event(s) not started: add --start-streams, or start each at its "
            "/mgmt/.../start route") in summary
    assert ("warning: api.docs_path /api/docs is configured but no API spec is served there: add --api-auto "
            "(spec built from the apps) or --api-file <openapi.json>") in summary
    assert " | START | " not in out  # --no-console-log: the lines are in the files only
    logged = "".join(path.read_text() for path in (tmp_path / "logs").glob("*.log"))
    assert "STREAM/SERVICE event(s) not started" in logged  # warnings logged too, for servers with no terminal


def test_with_streams_and_docs_there_is_nothing_to_warn(tmp_path: Path) -> None:
    out = _serve_and_call(tmp_path, "--no-console-log", "--start-streams", "--api-auto", "1.0;console test")
    assert "warning" not in out
    assert "    STREAM  consume\n" in out
    assert "  API docs: http://127.0.0.1:" in out and "/api/docs\n" in out


def test_console_log_shows_requests_and_readable_tracebacks(tmp_path: Path) -> None:
    out = _serve_and_call(tmp_path, "--console-log", "--start-streams")
    assert " | INFO | web-test 1.0 engine " in out or " | START | " in out
    assert "http.request=GET /api/web-test/1x0/status" in out
    assert "\n    Traceback (most recent call last):\n" in out  # on its own lines, indented
    assert "AssertionError: Test for error" in out
    assert "trace=%5B" not in out  # the URL-quoted form stays in the files
    logged = "".join(path.read_text() for path in (tmp_path / "logs").glob("*.log"))
    assert "trace=%5B" in logged and "\n    Traceback" not in logged


def test_console_is_on_when_stdout_is_a_terminal(tmp_path: Path) -> None:
    port = _free_port()
    main, terminal = pty.openpty()
    proc = subprocess.Popen(_command(tmp_path, port, "--start-streams"), env=dict(os.environ),
                            stdout=terminal, stderr=terminal, stdin=subprocess.DEVNULL, close_fds=True)
    os.close(terminal)
    seen = b""
    asked = False
    try:
        deadline = time.monotonic() + 30
        while b"console: on" not in seen or b"http.request=GET /api/web-test/1x0/status" not in seen:
            assert time.monotonic() < deadline and proc.poll() is None, seen.decode(errors="replace")
            if b"console: on" in seen and not asked:
                assert _get(f"http://127.0.0.1:{port}/api/web-test/1x0/status") == 200
                asked = True
            ready, _, _ = select.select([main], [], [], 0.5)
            if ready:
                seen += os.read(main, 65536)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        os.close(main)
    assert b" | START | " in seen


def test_a_mistyped_server_key_is_named_at_start(tmp_path: Path) -> None:
    """``"stream"`` for ``"streams"`` would quietly leave the server on the embedded streams."""
    server_json = _server_json(tmp_path)
    data = json.loads(server_json.read_text())
    data["stream"] = data.pop("streams")
    server_json.write_text(json.dumps(data))
    out = _serve_and_call(tmp_path, "--no-console-log", "--start-streams", "--api-auto", "1.0;typo")
    note = f"{server_json}: stream: unknown key, ignored (did you mean 'streams'?)"
    assert f"hopeit_server: warning: {note}" in out  # printed before start-up
    assert f"warning: {note}" in out[out.index("hopeit.engine serving"):]  # and in the summary
