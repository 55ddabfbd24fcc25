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
from typing import List

import pytest
from cli_support import (
    CONFIG,
    CONFIG_FILES,
    cli_env,  # noqa: F401 - the autouse fixture of these tests
)
from hopeit.cli.server import server


def _script(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
    assert parse_args(["--config-files", "a.json", "--workers", "0", "--worker-class", "x"]).workers == 1
