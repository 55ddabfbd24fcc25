"""``group_stats`` on a real Redis, and ``/metrics`` of a real ``hopeit_server run`` reading Redis Streams.

Pending and lag per consumer group in the metrics are what Redis itself tells in ``XINFO GROUPS``.
"""

import json
import os
import subprocess
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Tuple

import pytest
import redis
import redis.asyncio as aioredis
from hopeit.streams import StreamOSError
from hopeit.testing.redis import RedisServer
from hopeit.testing.servers import free_port, server_command
from hopeit.testing.waiting import wait_until
from prometheus_client.parser import text_string_to_metric_families
from redis_streams_support import ManagerFactory

TESTS = Path(__file__).parent
APP_CONFIG = TESTS / "redis_streams_e2e" / "config.json"
ITEMS = "redis_streams_e2e.items"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


async def _xinfo(raw: "aioredis.Redis", stream: str) -> Dict[str, Dict[str, Any]]:
    """``XINFO GROUPS`` of ``stream``, by group name."""
    return {_text(group["name"]): group for group in await raw.xinfo_groups(stream)}


async def test_group_stats_are_what_xinfo_groups_tells(make_manager: ManagerFactory, raw: "aioredis.Redis",
                                                       stream_name: str) -> None:
    manager = await make_manager()
    assert await manager.group_stats(stream_name=stream_name, consumer_group="g") is None  # no stream yet
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    assert await manager.group_stats(stream_name=stream_name, consumer_group="other") is None
    for i in range(5):
        await raw.xadd(stream_name, {"n": str(i)})
    await raw.xreadgroup("g", "someone", {stream_name: ">"}, count=2)  # two delivered, none acknowledged
    stats = await manager.group_stats(stream_name=stream_name, consumer_group="g")
    xinfo = (await _xinfo(raw, stream_name))["g"]
    assert stats is not None and stats.pending == xinfo["pending"] == 2
    assert stats.lag == xinfo.get("lag") and stats.dead_lettered == 0  # lag: 3 on Redis 7, None before
    await manager.close()
    with pytest.raises(StreamOSError, match="not connected"):
        await manager.group_stats(stream_name=stream_name, consumer_group="g")


def _server_json(tmp_path: Path, redis_url: str) -> Path:
    path = tmp_path / "server.json"
    path.write_text(json.dumps({
        "logging": {"log_level": "WARNING", "log_path": f"{tmp_path}/logs/"},
        "streams": {"stream_manager": "redis", "connection_str": redis_url, "delay_auto_start_seconds": 0},
        "api": {"metrics_path": "/metrics"},
    }))
    return path


@pytest.fixture
def served(tmp_path: Path, redis_server: RedisServer) -> Iterator[str]:
    """``hopeit_server run --start-streams`` of the e2e app with ``/metrics``; its URL.

    Redis is emptied first: other tests of the session leave items and groups on the same stream.
    """
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    command = [*server_command(), "run", "--start-streams", "--no-console-log", "--host", "127.0.0.1",
               "--port", str(port), "--config-files", f"{_server_json(tmp_path, redis_server.url)},{APP_CONFIG}"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, out.decode(errors="replace")


def _scrape(url: str) -> Optional[Dict[Tuple[str, str, str], float]]:
    """``(sample, stream, group) -> value`` of the stream samples, None while the server does not answer."""
    try:
        with urllib.request.urlopen(f"{url}/metrics", timeout=5) as resp:  # a loopback test server
            text = resp.read().decode()
    except OSError:
        return None
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if "consumer_group" in sample.labels:
                found[(sample.name, sample.labels["stream"], sample.labels["consumer_group"])] = sample.value
    return found


async def test_metrics_pending_and_lag_match_xinfo_groups(served: str, raw: "aioredis.Redis") -> None:
    await wait_until(lambda: _scrape(served) is not None, timeout=60, interval=0.1, what="server answering")
    data = json.dumps({"count": 20, "poison": 7}).encode()
    version = os.environ["HOPEIT_APPS_API_VERSION"].replace(".", "x")
    request = urllib.request.Request(f"{served}/api/redis-streams-e2e/{version}/publish", data=data,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as resp:  # a loopback test server
        assert resp.status == 200

    def agrees(samples: Dict[Tuple[str, str, str], float], name: str, info: Dict[str, Any]) -> bool:
        return (samples.get(("hopeit_stream_consumed_total", ITEMS, name)) == 20
                and samples.get(("hopeit_stream_pending_messages", ITEMS, name)) == info["pending"]
                and samples.get(("hopeit_stream_failed_total", ITEMS, name)) == info["pending"])

    async def settled() -> Any:
        """Every group of the stream consumed the 20 items (poison 7 failing where it fails) and Redis agrees.

        The scrape comes first: a group's messages are counted once acknowledged, so ``XINFO GROUPS``
        read after it shows those acknowledgements (the other order races a batch still running).
        """
        samples = _scrape(served) or {}
        groups = await _xinfo(raw, ITEMS)
        done = groups and all(agrees(samples, name, info) for name, info in groups.items())
        return (groups, samples) if done else None

    groups, samples = await wait_until(settled, timeout=60, interval=0.1, what="20 items consumed by every group")
    assert len(groups) >= 2  # consume, consume_slow
    for name, info in groups.items():
        assert samples[("hopeit_stream_pending_messages", ITEMS, name)] == info["pending"]
        if info.get("lag") is not None:  # Redis 7 tells it
            assert samples[("hopeit_stream_lag_messages", ITEMS, name)] == info["lag"] == 0
        assert samples[("hopeit_stream_dead_lettered_total", ITEMS, name)] == 0
        # what failed stays pending (delivered again only after claim_idle_ms)
        assert samples[("hopeit_stream_failed_total", ITEMS, name)] == info["pending"]
    assert 1 in [info["pending"] for info in groups.values()]  # consume fails the poison item
