"""``hopeit_server run`` started as a user would, then called over HTTP."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import List, Tuple

import pytest
from cli_support import (
    CONFIG,
    CONFIG_FILES,
    cli_env,  # noqa: F401 - the autouse fixture of these tests
)
from hopeit.cli.server import server
from hopeit.testing.servers import free_port as _free_port


def _script(name: str) -> str:
    return str(Path(sys.executable).parent / name)



def _wait(url: str, proc: "subprocess.Popen[bytes]", timeout: float = 20.0) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[0].decode()
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                return bytes(resp.read())
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"no answer from {url}")


def _run(args: List[str]) -> "subprocess.Popen[bytes]":
    # the environment of the test configs is in os.environ (fixture cli_env)
    return subprocess.Popen(args, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_hopeit_server_run_serves_apps() -> None:
    port = _free_port()
    server_json, plugin_json, app_json = CONFIG_FILES.split(",")
    proc = _run([_script("hopeit_server"), "run", "--host", "127.0.0.1", "--port", str(port),
                 "--config-files", f"{server_json},{plugin_json}", "--config-files", app_json,
                 "--start-streams", "--api-auto", "1.0;CLI test"])
    try:
        body = _wait(f"http://127.0.0.1:{port}/api/web-test/1x0/status", proc)
        assert json.loads(body)["setup_runs"] == 1
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/web-test/1x0/get-item?item_id=a&count=2",
            headers={"X-Track-Session-Id": "cli"},
        )
        with urllib.request.urlopen(request) as resp:
            assert json.loads(resp.read()) == {"id": "a", "count": 2, "color": "red"}
            assert resp.headers["X-Track-Session-Id"] == "cli"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/docs/swagger.json") as resp:
            assert json.loads(resp.read())["info"]["title"] == "CLI test"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out.decode()
    assert "warning" not in out.decode()  # one process: nothing runs once per worker


def test_python_m_hopeit_server_web_takes_the_same_flags() -> None:
    port = _free_port()
    proc = _run([sys.executable, "-m", "hopeit.server.web", "--host", "127.0.0.1", "--port", str(port),
                 "--config-files", CONFIG_FILES, "--enabled-groups", "extra"])
    try:
        assert json.loads(_wait(f"http://127.0.0.1:{port}/api/web-test/1x0/extra-group", proc)) == {
            "extra_group": "extra_group:-"}
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out.decode()


def test_usage_errors_exit_2_with_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    for argv, message in (
        (["run"], "the following arguments are required: --config-files"),
        (["run", "--config-files", ","], "--config-files needs at least the server config file"),
        ([], "the following arguments are required: COMMAND"),
        (["serve"], "invalid choice: 'serve'"),
    ):
        with pytest.raises(SystemExit) as exited:
            server(argv)
        assert exited.value.code == 2
        err = capsys.readouterr().err
        assert message in err and err.startswith("usage: hopeit_server")


def test_help_lists_the_run_flags(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        server(["run", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for flag in ("--config-files", "--host", "--port", "--path", "--start-streams", "--enabled-groups",
                 "--api-file", "--api-auto", "--workers"):
        assert flag in out
    assert "--worker-class" not in out  # accepted for 0.24 command lines, not advertised


def test_bad_config_file_exits_1_with_one_line() -> None:
    result = subprocess.run([_script("hopeit_server"), "run", "--config-files", str(CONFIG / "missing.json")],
                            env=dict(os.environ), capture_output=True, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("hopeit_server: error: ConfigError: ")
    assert "missing.json: cannot read config file" in lines[0]


def test_parse_args_of_python_m() -> None:
    from hopeit.server.web import parse_args

    args = parse_args(["--config-files", "a.json,b.json", "--config-files", "c.json", "--enabled-groups", "g1,g2",
                       "--api-auto", "1.0;T;D", "--start-streams", "--workers", "3"])
    assert args.config_files == ["a.json", "b.json", "c.json"]
    assert args.enabled_groups == ["g1", "g2"]
    assert args.api_auto == ["1.0", "T", "D"]
    assert (args.host, args.port, args.path, args.start_streams, args.workers) == ("0.0.0.0", 8020, None, True, 3)
    assert parse_args(["--config-files", "a.json", "--path", "/tmp/s.sock", "--port", "1"]).port is None
    assert parse_args(["--config-files", "a.json", "--workers", "10000"]).workers == 2 * (os.cpu_count() or 1) + 1
    assert parse_args(["--config-files", "a.json", "--workers", "0"]).workers == 1
    assert parse_args(["--config-files", "a.json", "--worker-timeout", "2.5"]).worker_timeout == 2.5


def test_worker_class_other_than_the_aiohttp_worker_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("GunicornUVLoopWebWorker", "uvicorn.workers.UvicornWorker"):
        with pytest.raises(SystemExit) as exited:
            server(["run", "--config-files", CONFIG_FILES, "--worker-class", name])
        assert exited.value.code == 2
        err = capsys.readouterr().err
        assert f"--worker-class {name}: " in err and "workers are built in" in err
    with pytest.raises(SystemExit) as exited:
        server(["run", "--config-files", CONFIG_FILES, "--worker-timeout", "-1"])
    assert exited.value.code == 2
    assert "--worker-timeout" in capsys.readouterr().err


def _sigterm_during_slow_request(proc: "subprocess.Popen[bytes]", port: int, marker: Path) -> Tuple[bytes, bytes]:
    """Send SIGTERM while a 1.8 s request is in flight; the bytes that request got, and the server's output."""
    signalled = False
    try:
        _wait(f"http://127.0.0.1:{port}/api/web-test/1x0/pid", proc)
        with socket.create_connection(("127.0.0.1", port)) as slow:
            slow.sendall(b"GET /api/web-test/1x0/slow?seconds=1.8 HTTP/1.1\r\nHost: x\r\n\r\n")
            deadline = time.monotonic() + 20
            while not marker.exists() and time.monotonic() < deadline:  # the request has reached its step
                time.sleep(0.02)
            assert marker.exists()
            proc.send_signal(signal.SIGTERM)
            signalled = True
            slow.settimeout(20)
            answer = slow.recv(4096)
    finally:
        if not signalled:
            proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    return answer, out


def test_worker_timeout_limits_the_drain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--worker-timeout`` is how long a stopping worker lets requests in flight finish; the aiohttp
    worker class of 0.24 command lines is accepted with a note."""
    marker = tmp_path / "in-flight"
    monkeypatch.setenv("HOPEIT_TEST_SLOW_MARKER", str(marker))
    port = _free_port()
    proc = _run([_script("hopeit_server"), "run", "--host", "127.0.0.1", "--port", str(port),
                 "--config-files", CONFIG_FILES, "--worker-class", "aiohttp.GunicornWebWorker",
                 "--worker-timeout", "0.3"])
    answer, out = _sigterm_during_slow_request(proc, port, marker)
    assert answer == b"", answer  # cancelled after 0.3 s of draining: closed without an answer
    assert proc.returncode == 0, out.decode()
    assert "hopeit_server: note: --worker-class aiohttp.GunicornWebWorker: workers are built in" in out.decode()


def test_two_workers_warn_of_what_each_runs_on_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With --workers 2, the embedded memory streams and SERVICE events are said to be per worker, on the
    console and in the log; --worker-timeout reaches the workers."""
    server_json = tmp_path / "server.json"
    server_json.write_text(json.dumps({
        "logging": {"log_level": "INFO", "log_path": f"{tmp_path}/logs/"},
        "streams": {"delay_auto_start_seconds": 0, "connection_str": "${HOPEIT_TEST_STREAMS}"},
    }))
    marker = tmp_path / "in-flight"
    monkeypatch.setenv("HOPEIT_TEST_SLOW_MARKER", str(marker))
    _, plugin_json, app_json = CONFIG_FILES.split(",")
    port = _free_port()
    proc = _run([_script("hopeit_server"), "run", "--host", "127.0.0.1", "--port", str(port),
                 "--config-files", f"{server_json},{plugin_json},{app_json}", "--workers", "2", "--start-streams",
                 "--worker-timeout", "0.3"])
    answer, out = _sigterm_during_slow_request(proc, port, marker)
    assert answer == b"", answer  # the worker drained for 0.3 s only
    assert proc.returncode == 0, out.decode()
    console = out.decode()
    logged = [line for path in (tmp_path / "logs").glob("*.log") for line in path.read_text().splitlines()]
    for expected in (
        "--workers 2 with the embedded memory streams (streams.stream_manager 'memory'): each worker has streams "
        "of its own",
        "--workers 2 --start-streams: every SERVICE event (web_test.1x0.service), and the __service__ of STREAM "
        "events, runs once in each worker, 2 times in all",
    ):
        assert console.count(f"hopeit.engine: warning: {expected}") == 1, console
        [line] = [line for line in logged if expected in line]
        assert " | WARNING | " in line
