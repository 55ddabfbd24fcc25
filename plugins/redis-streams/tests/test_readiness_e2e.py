"""``ping()`` and a real ``hopeit_server run --start-streams`` on Redis: ``/ready`` follows Redis going and coming back.

The bound of one second is a behaviour of the probe (Kubernetes asks every few seconds and waits
one second by default), not a speed benchmark: ``/ready`` asks Redis each time it is asked.
"""

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any, AsyncIterator, Dict, Iterator, Tuple

import aiohttp
import pytest
from hopeit.redis_streams.manager import PING_TIMEOUT_SECONDS
from hopeit.streams import StreamOSError
from hopeit.testing.redis import RedisServer
from hopeit.testing.servers import free_port, server_command
from hopeit.testing.waiting import wait_until
from redis_streams_support import ManagerFactory

TESTS = Path(__file__).parent
APP_CONFIG = TESTS / "redis_streams_e2e" / "config.json"


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A Redis server of this test only: it is stopped and started again."""
    server = RedisServer().start()
    yield server
    server.close()


async def test_ping_answers_fails_fast_when_redis_is_gone_and_recovers(
    own_redis: RedisServer, make_manager: ManagerFactory
) -> None:
    manager = await make_manager(url=own_redis.url)
    await manager.ping()
    own_redis.stop()
    started = time.monotonic()
    with pytest.raises(StreamOSError, match="does not answer PING"):
        await manager.ping()
    assert time.monotonic() - started < 1.0  # the bound /ready relies on
    own_redis.start()
    await manager.ping()  # reconnects on its own connection
    await manager.close()
    with pytest.raises(StreamOSError, match="not connected"):
        await manager.ping()
    assert PING_TIMEOUT_SECONDS < 1.0


def _server_json(tmp_path: Path, redis_url: str) -> Path:
    path = tmp_path / "server.json"
    path.write_text(json.dumps({
        "logging": {"log_level": "INFO", "log_path": f"{tmp_path}/logs/"},
        "streams": {"stream_manager": "redis", "connection_str": redis_url, "delay_auto_start_seconds": 0,
                    "initial_backoff_seconds": 0.1, "max_backoff_seconds": 0.5},
    }))
    return path


class Served:
    """``hopeit_server run --start-streams`` of the e2e app on a Redis of its own."""

    def __init__(self, tmp_path: Path, redis: RedisServer) -> None:
        self.redis = redis
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
        command = [*server_command(), "run", "--start-streams", "--no-console-log", "--host", "127.0.0.1",
                   "--port", str(port), "--config-files", f"{_server_json(tmp_path, redis.url)},{APP_CONFIG}"]
        self.proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        """SIGTERM, and check it exited 0 (its log lines are then all written)."""
        if self.proc.returncode is not None:
            return
        if self.redis.process is None:  # the server drains its loops: give them their Redis back
            self.redis.start()
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=60)
        assert self.proc.returncode == 0, out.decode(errors="replace")


@pytest.fixture
def served(tmp_path: Path, own_redis: RedisServer) -> Iterator[Served]:
    server = Served(tmp_path, own_redis)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as client:
        yield client


async def _ready(session: aiohttp.ClientSession, url: str) -> Tuple[int, Dict[str, Any]]:
    async with session.get(f"{url}/ready") as resp:
        return resp.status, await resp.json()


async def _answering(session: aiohttp.ClientSession, url: str) -> bool:
    try:
        async with session.get(f"{url}/health") as resp:
            return resp.status == 200
    except aiohttp.ClientError:
        return False


async def _within(seconds: float, condition: Any, what: str) -> Dict[str, Any]:
    """Poll ``condition`` every 50 ms; fail unless it holds within ``seconds`` of now."""
    found: Dict[str, Any] = await wait_until(condition, timeout=seconds, interval=0.05, what=what)
    return found


async def test_ready_follows_redis_going_and_coming_back(
    served: Served, own_redis: RedisServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    url = served.url
    await wait_until(lambda: _answering(session, url), timeout=60, interval=0.1, what="server answering")

    async def ready_with(expected: int) -> Any:
        status, body = await _ready(session, url)
        return body if status == expected else None

    body = await wait_until(lambda: ready_with(200), timeout=30, interval=0.05, what="/ready 200 at start")
    app_key = next(name.split(":", 1)[1] for name in body["checks"] if name.startswith("streams:"))
    assert body["checks"][f"streams:{app_key}"] == {"status": "pass", "output": "answering"}
    for event in ("consume", "consume_queues"):
        assert body["checks"][f"loop:{app_key}:{event}"]["status"] == "pass"

    own_redis.stop()  # gone from here on
    body = await _within(1.0, lambda: ready_with(503), "/ready 503 within 1 s of Redis gone")
    assert body["status"] == "fail"
    assert body["checks"][f"streams:{app_key}"] == {"status": "fail", "output": "failing: StreamOSError"}
    assert body["checks"][f"loop:{app_key}:consume"] == {
        "status": "fail", "output": "reconnecting: its stream manager is failing"}
    assert own_redis.url not in json.dumps(body)

    own_redis.start()  # listening again, on the same port, from here on
    body = await _within(1.0, lambda: ready_with(200), "/ready 200 within 1 s of Redis back")
    assert body["checks"][f"loop:{app_key}:consume"]["status"] == "pass"

    # an operator stops a consumer through its management route: said, not a failure
    version = app_key.rsplit(".", 1)[1]
    async with session.get(f"{url}/mgmt/redis-streams-e2e/{version}/consume/stop") as resp:
        assert resp.status == 200
    status, body = await _ready(session, url)
    assert status == 200  # while it finishes its batch ("stopping") and once it has ("stopped")
    assert body["checks"][f"loop:{app_key}:consume"]["status"] == "skip"

    async def stopped() -> Any:
        found = await ready_with(200)
        return found and found["checks"][f"loop:{app_key}:consume"]["output"] == "stopped through its /mgmt stop route"

    await wait_until(stopped, timeout=10, interval=0.05, what="consume stopped, /ready still 200")

    # probes write no access line at INFO; the failing check was logged once, and its recovery
    served.stop()
    logs = "".join(path.read_text(errors="replace") for path in (tmp_path / "logs").glob("*.log"))
    assert "GET /ready" not in logs and "GET /health" not in logs
    assert logs.count(f"check streams:{app_key} failing") == 1
    assert f"check streams:{app_key} passing again" in logs
