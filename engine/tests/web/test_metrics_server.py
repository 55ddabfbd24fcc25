"""``/metrics`` of real ``hopeit_server run`` processes, one and two workers, after real traffic."""

import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest
from hopeit.testing.servers import free_port, server_command
from hopeit.testing.waiting import wait_until
from metrics_support import APP_CONFIG, BASE, Samples, event, group, parse, server_config, value
from web_support import ServerProcess

TESTS = str(Path(__file__).parent.parent)


def _call(url: str, body: Optional[Dict[str, Any]] = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:  # a loopback test server
            return json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code


def _scrape(server: ServerProcess) -> Samples:
    with urllib.request.urlopen(f"{server.url}/metrics", timeout=10) as resp:  # a loopback test server
        return parse(resp.read().decode())


StartServer = Callable[..., ServerProcess]


@pytest.fixture
def metrics_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[StartServer]:
    """``hopeit_server run`` of the metrics test app with ``/metrics`` on, on a free port."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (TESTS, os.environ.get("PYTHONPATH")) if p))
    started: List[ServerProcess] = []

    def start(extra: Optional[List[str]] = None) -> ServerProcess:
        port = free_port()
        args = [*server_command(), "run", "--host", "127.0.0.1", "--port", str(port), "--config-files",
                f"{server_config(tmp_path)},{APP_CONFIG}", *(extra or [])]
        server = ServerProcess(args, {}, port)
        started.append(server)
        server.wait_ready(f"{BASE}/ok", timeout=60)
        return server

    yield start
    for server in started:
        assert server.stop() == 0, server.output()


async def test_hopeit_server_run_counts_what_was_sent(metrics_server: StartServer) -> None:
    server = metrics_server(["--start-streams"])
    base = f"{server.url}{BASE}"
    before = value(_scrape(server), "hopeit_event_handled_total", **event("ok", "GET")) or 0  # wait_ready's calls
    for _ in range(5):
        assert _call(f"{base}/ok") == {"ok": "ok"}
    for i in range(3):
        assert _call(f"{base}/echo", {"id": f"e{i}"}) == {"id": f"e{i}", "fail": False}
    assert _call(f"{base}/fail") == 500
    for i in range(6):
        assert _call(f"{base}/produce", {"id": f"p{i}", "fail": i % 3 == 0})["id"] == f"p{i}"
    def consumed() -> Optional[Samples]:
        samples = _scrape(server)
        return samples if value(samples, "hopeit_stream_consumed_total", **group()) == 6 else None

    samples = await wait_until(consumed, timeout=30, interval=0.1, what="6 messages consumed")
    assert value(samples, "hopeit_event_handled_total", **event("ok", "GET")) == before + 5
    assert value(samples, "hopeit_event_handled_total", **event("echo", "POST")) == 3
    assert value(samples, "hopeit_event_duration_seconds_count", **event("echo", "POST")) == 3
    assert value(samples, "hopeit_event_handled_total", **event("fail", "GET")) == 1
    assert value(samples, "hopeit_event_errors_total", **event("fail", "GET"), outcome="5xx") == 1
    assert value(samples, "hopeit_event_handled_total", **event("produce", "POST")) == 6
    assert value(samples, "hopeit_event_handled_total", **event("consume", "STREAM")) == 6
    assert value(samples, "hopeit_event_errors_total", **event("consume", "STREAM"), outcome="failed") == 2
    assert value(samples, "hopeit_stream_failed_total", **group()) == 2
    assert value(samples, "hopeit_stream_pending_messages", **group()) == 2
    assert value(samples, "hopeit_stream_lag_messages", **group()) == 0
    assert value(samples, "hopeit_http_requests_in_flight") == 0


def _pid_calls(server: ServerProcess, count: int) -> Dict[int, int]:
    """Call the ``pid`` event ``count`` times, a new connection each: how many each worker answered."""
    served: Dict[int, int] = {}
    for _ in range(count):
        pid = _call(f"{server.url}{BASE}/pid")["pid"]
        served[pid] = served.get(pid, 0) + 1
    return served


async def test_two_workers_answer_the_counts_of_both(metrics_server: StartServer) -> None:
    server = metrics_server(["--workers", "2"])
    served: Dict[int, int] = {}
    deadline = time.monotonic() + 60
    while len(served) < 2 and time.monotonic() < deadline:  # the kernel spreads connections over the workers
        for pid, count in _pid_calls(server, 20).items():
            served[pid] = served.get(pid, 0) + count
    assert len(served) == 2, served
    total = sum(served.values())
    assert max(served.values()) < total  # so a count of one worker alone cannot match

    def summed() -> Optional[Samples]:
        samples = _scrape(server)
        return samples if value(samples, "hopeit_event_handled_total", **event("pid", "GET")) == total else None

    samples = await wait_until(summed, timeout=30, interval=0.1, what=f"the {total} pid calls of both workers summed")
    assert value(samples, "hopeit_event_duration_seconds_count", **event("pid", "GET")) == total
    assert value(samples, "hopeit_event_duration_seconds_bucket", **event("pid", "GET"), le="+Inf") == total
    assert value(samples, "hopeit_http_requests_in_flight") == 0
