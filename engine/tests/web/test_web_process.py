"""The server as a process: start-up errors, SIGTERM draining, ``--workers``, unix sockets."""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Dict, List, Set, Tuple

import aiohttp
from web_support import APP, BASE, PLUGIN, SERVER, ServerProcess

StartServer = Callable[..., ServerProcess]


async def test_sigterm_finishes_requests_in_flight_and_exits_0(server_process: StartServer,
                                                               web_env: Dict[str, str], tmp_path: Path) -> None:
    marker = tmp_path / "in-flight"
    web_env["HOPEIT_TEST_SLOW_MARKER"] = str(marker)
    server = server_process(["--start-streams"])
    server.wait_ready()
    async with aiohttp.ClientSession() as session:
        slow = asyncio.ensure_future(session.get(f"{server.url}{BASE}/slow", params={"seconds": "1.5"}))
        deadline = time.monotonic() + 20
        while not marker.exists() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert marker.exists()
        server.proc.send_signal(signal.SIGTERM)
        resp = await slow
        assert resp.status == 200
        assert await resp.json() == {"slow": "slept 1.5"}
        try:  # the listener closed at SIGTERM, before the requests in flight were drained
            async with session.get(f"{server.url}{BASE}/pid") as late:
                raise AssertionError(f"a request after SIGTERM was served: {late.status}")
        except aiohttp.ClientConnectionError:
            pass  # no longer taking requests
    assert server.proc.wait(timeout=20) == 0


def _read_response(sock: socket.socket) -> Tuple[str, bytes]:
    """Head and body of one HTTP/1.1 response with a Content-Length, read off a kept-alive connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, f"connection closed before a whole response: {data!r}"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lengths = [line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")]
    length = int(lengths[0])
    while len(body) < length:
        chunk = sock.recv(4096)
        assert chunk, f"connection closed within the body: {body!r}"
        body += chunk
    return head.decode("latin-1"), body


def _closed_cleanly(sock: socket.socket) -> bool:
    """True when the peer closed the connection with a FIN (recv gives b""), False on a reset."""
    sock.settimeout(20)
    try:
        return sock.recv(4096) == b""
    except ConnectionResetError:
        return False


def test_sigterm_closes_kept_alive_connections_cleanly(server_process: StartServer, web_env: Dict[str, str],
                                                      tmp_path: Path) -> None:
    marker = tmp_path / "in-flight"
    web_env["HOPEIT_TEST_SLOW_MARKER"] = str(marker)
    server = server_process(command=[str(Path(sys.executable).parent / "hopeit_server"), "run"])
    server.wait_ready()
    idle = socket.create_connection(("127.0.0.1", server.port))
    busy = socket.create_connection(("127.0.0.1", server.port))
    with idle, busy:
        idle.sendall(f"GET {BASE}/pid HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        head, _ = _read_response(idle)
        assert "connection: close" not in head.lower()  # kept alive, now idle
        busy.sendall(f"GET {BASE}/slow?seconds=1 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        deadline = time.monotonic() + 20
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists()
        server.proc.send_signal(signal.SIGTERM)
        head, body = _read_response(busy)
        assert head.startswith("HTTP/1.1 200 ")
        assert json.loads(body) == {"slow": "slept 1.0"}
        assert "\r\nConnection: close" in head  # written while draining: the client must not reuse it
        assert _closed_cleanly(busy)
        assert _closed_cleanly(idle)
    assert server.proc.wait(timeout=20) == 0


def test_sigterm_during_start_up_is_not_lost(server_process: StartServer, web_env: Dict[str, str],
                                             tmp_path: Path) -> None:
    marker = tmp_path / "setup-running"
    web_env["HOPEIT_TEST_SETUP_DELAY"] = "5"
    web_env["HOPEIT_TEST_SETUP_MARKER"] = str(marker)
    server = server_process()
    deadline = time.monotonic() + 30
    while not marker.exists() and time.monotonic() < deadline and server.proc.poll() is None:
        time.sleep(0.02)
    assert marker.exists()  # the SETUP event is running: the server is starting
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=20) == 0
    assert "serving" not in server.output()


async def test_sigterm_lets_stream_loop_finish_its_batch(server_process: StartServer,
                                                         web_env: Dict[str, str], tmp_path: Path) -> None:
    marker = tmp_path / "consuming"
    web_env["HOPEIT_TEST_LOG_LEVEL"] = "INFO"
    web_env["HOPEIT_TEST_CONSUME_MARKER"] = str(marker)
    server = server_process(["--start-streams"])
    server.wait_ready()
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{server.url}{BASE}/produce", json={"id": "s0", "count": 0, "note": "slow"}) as resp:
            assert resp.status == 200
    deadline = time.monotonic() + 20
    while not marker.exists() and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert marker.exists()  # the loop is processing s0, which takes 1 s
    signalled = time.time()
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=30) == 0
    lines = [line for line in server.output().splitlines() if "stream.name=web_test.items" in line]
    done = [line for line in lines if "| DONE |" in line]
    assert len(done) == 1, "\n".join(lines)
    finished = datetime.strptime(done[0][:23], "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=timezone.utc).timestamp()
    assert finished > signalled  # finished after SIGTERM, instead of being cancelled
    assert not [line for line in lines if "FAILED" in line]


def _raw_get(port: int, path: str, headers: str = "") -> bytes:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(f"GET {path} HTTP/1.0\r\n{headers}\r\n".encode())
        return sock.recv(4096)


def test_access_lines_at_info_and_none_at_warning(server_process: StartServer, web_env: Dict[str, str]) -> None:
    web_env["HOPEIT_TEST_LOG_LEVEL"] = "INFO"
    server = server_process()
    server.wait_ready()
    _raw_get(server.port, f"{BASE}/get-plain?payload=x", "X-Track-Session-Id: abc\r\n")
    _raw_get(server.port, "/api/unknown")
    assert server.stop() == 0
    lines = server.output().splitlines()
    event = [line for line in lines if f"http.request=GET {BASE}/get-plain?payload=x" in line]
    assert len(event) == 1  # the DONE line is the access line of an event request
    assert "| DONE | response.status=200 | metrics.duration=" in event[0]
    assert "http.peer=127.0.0.1" in event[0] and "track.session_id=abc" in event[0]
    assert len([line for line in lines if "| START |" in line and "track.session_id=abc" in line]) == 1
    unknown = [line for line in lines if '"GET /api/unknown" 404' in line]
    assert len(unknown) == 1
    assert unknown[0].split(" | ")[3].startswith('127.0.0.1 "GET /api/unknown" 404 ')

    web_env["HOPEIT_TEST_LOG_LEVEL"] = "WARNING"
    quiet = server_process()
    quiet.wait_ready()
    _raw_get(quiet.port, f"{BASE}/get-plain?payload=x")
    assert quiet.stop() == 0
    assert "| INFO |" not in quiet.output()


def test_start_up_error_is_one_clear_line(server_process: StartServer, tmp_path: Path) -> None:
    bad = tmp_path / "app.json"
    bad.write_text('{"app": {"name": "x", "version": "1.0"}, "events": {"e": {"type": "GETS"}}}')
    server = server_process(config_files=f"{SERVER},{bad}")
    assert server.proc.wait(timeout=20) == 1
    out = server.output().strip().splitlines()
    assert out[-1].startswith("hopeit_server: error: ConfigError: ")
    assert str(bad) in out[-1] and "events.e.type" in out[-1]
    assert "Traceback" not in server.output()


def _pids(port: int, count: int) -> List[int]:
    pids = []
    for _ in range(count):
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(f"GET {BASE}/pid HTTP/1.0\r\n\r\n".encode())
            data = b""
            while True:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
        pids.append(int(json.loads(data.split(b"\r\n\r\n", 1)[1])["pid"]))
    return pids


def test_two_workers_share_one_port(server_process: StartServer) -> None:
    server = server_process(["--workers", "2"])
    server.wait_ready()
    deadline = time.monotonic() + 20
    pids: Set[int] = set()
    while len(pids) < 2 and time.monotonic() < deadline:
        pids.update(_pids(server.port, 20))
    assert len(pids) == 2
    assert server.proc.pid not in pids  # the supervisor does not serve
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=30) == 0
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()


def test_workers_on_unix_socket(web_env: Dict[str, str], tmp_path: Path) -> None:
    sock_path = str(tmp_path / "hopeit.sock")
    env = {**os.environ, **web_env, "PYTHONPATH": str(Path(APP).parent.parent)}
    proc = subprocess.Popen([sys.executable, "-m", "hopeit.server.web", "--path", sock_path, "--workers", "2",
                             "--config-files", f"{SERVER},{PLUGIN},{APP}"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        answer = b""
        deadline = time.monotonic() + 60  # two workers starting on a loaded 2-core machine took over 20 s once
        while time.monotonic() < deadline and b"200 OK" not in answer:
            try:
                with socket.socket(socket.AF_UNIX) as sock:
                    sock.connect(sock_path)
                    sock.sendall(f"GET {BASE}/pid HTTP/1.0\r\n\r\n".encode())
                    answer = sock.recv(4096)
            except OSError:
                time.sleep(0.1)
        assert b"200 OK" in answer
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out.decode()
    assert not Path(sock_path).exists()


def test_a_worker_failing_to_start_stops_all(server_process: StartServer) -> None:
    with socket.socket() as blocker:  # holds the port without SO_REUSEPORT: workers cannot bind it
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        server = server_process(["--workers", "2"], port=blocker.getsockname()[1])
        assert server.proc.wait(timeout=30) == 1
    assert "hopeit_server: error: OSError" in server.output()


def test_workers_stop_when_the_supervisor_is_killed(server_process: StartServer) -> None:
    server = server_process(["--workers", "2"])
    server.wait_ready()
    pids = set(_pids(server.port, 10))
    server.proc.kill()  # no chance to stop the workers
    server.proc.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in pids)


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "zombie" not in status
