import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hopeit.contracts.settings import StreamsConfig
from hopeit.redis_streams import RedisStreamManager, RedisStreamsSettings
from hopeit.redis_streams._consumer import consumer_name, process_slot
from hopeit.redis_streams.settings import load_settings, safe_address
from hopeit.streams import StreamConfigError, StreamOSError
from hopeit.testing.redis import RedisServer
from hopeit.testing.servers import free_port


def config(url: str, **settings: Any) -> StreamsConfig:
    return StreamsConfig(stream_manager="redis", connection_str=url, settings=settings)


def test_defaults() -> None:
    settings, url = load_settings("redis://localhost:6379", config("redis://localhost:6379"))
    assert url == "redis://localhost:6379"
    assert settings == RedisStreamsSettings()
    assert settings.claim_idle_ms == 120_000 and settings.max_deliveries == 5
    assert settings.dead_letter_suffix == ".dlq"
    assert settings.forget_consumers_idle_ms == 86_400_000


def test_settings_from_config_and_query_string() -> None:
    address = "redis://h:1/2?max_deliveries=3&db=2&claim_idle_ms=500&ssl_cert_reqs=none"
    settings, url = load_settings(address, config(address, claim_idle_ms=900, consumer_name="me"))
    assert settings.max_deliveries == 3  # from the URL
    assert settings.claim_idle_ms == 900  # settings win over the URL
    assert settings.consumer_name == "me"
    assert url == "redis://h:1/2?db=2&ssl_cert_reqs=none"  # redis-py options stay in the URL


def test_pool_and_probe_settings() -> None:
    """Pools are bounded by default (50, waiting 10 s); null max_connections means the default, not unbounded."""
    defaults, _ = load_settings("redis://h", config("redis://h"))
    assert (defaults.max_connections, defaults.pool_timeout, defaults.recovery_probe_interval) == (50, 10.0, 0.5)
    settings, _ = load_settings(
        "redis://h?pool_timeout=2.5", config("redis://h", max_connections=5, recovery_probe_interval=0.1)
    )
    assert (settings.max_connections, settings.pool_timeout, settings.recovery_probe_interval) == (5, 2.5, 0.1)
    assert load_settings("redis://h", config("redis://h", max_connections=None))[0].max_connections == 50
    for key in ("max_connections", "pool_timeout", "recovery_probe_interval"):
        with pytest.raises(StreamConfigError, match=f"streams.settings.{key}=0"):
            load_settings("redis://h", config("redis://h", **{key: 0}))


def test_unknown_key_is_named() -> None:
    with pytest.raises(StreamConfigError, match=r"\['claim_idle'\].*valid options"):
        load_settings("redis://h", config("redis://h", claim_idle=5))


@pytest.mark.parametrize(
    "key,value",
    [("claim_idle_ms", 0), ("max_deliveries", -1), ("socket_timeout", "x"), ("consumer_name", [1]),
     ("forget_consumers_idle_ms", -1)],
)
def test_invalid_values_are_named(key: str, value: object) -> None:
    with pytest.raises(StreamConfigError, match=f"streams.settings.{key}="):
        load_settings("redis://h", config("redis://h", **{key: value}))


def test_credentials_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOPEIT_REDIS_USERNAME", "user")
    monkeypatch.setenv("HOPEIT_REDIS_PASSWORD", "secret")
    settings, _ = load_settings("redis://h", config("redis://h"))
    assert (settings.username, settings.password) == ("user", "secret")
    assert "secret" not in repr(settings)
    settings, _ = load_settings("redis://h", config("redis://h", password="other"))
    assert settings.password == "other"


def test_safe_address_hides_password() -> None:
    assert safe_address("redis://user:pw@host:6379/0") == "redis://user:***@host:6379/0"
    assert safe_address("redis://:pw@host") == "redis://:***@host"
    assert safe_address("redis://host:6379") == "redis://host:6379"


def test_consumer_names(monkeypatch: pytest.MonkeyPatch) -> None:
    host = socket.gethostname()
    assert consumer_name(RedisStreamsSettings(consumer_name="fixed")) == "fixed"
    assert consumer_name(RedisStreamsSettings(worker_id="7")) == f"{host}.7"
    monkeypatch.setenv("HOPEIT_WORKER_ID", "w3")
    assert consumer_name(RedisStreamsSettings()) == f"{host}.w3"
    monkeypatch.delenv("HOPEIT_WORKER_ID")
    assert consumer_name(RedisStreamsSettings()) == f"{host}.{process_slot()}"
    # stable: not time or pid based, the same for every manager of the process
    a = RedisStreamManager(address="redis://h", config=config("redis://h"))
    b = RedisStreamManager(address="redis://h", config=config("redis://h"))
    assert a.consumer_id == b.consumer_id == f"{host}.{process_slot()}"


def test_process_slots_are_distinct_per_live_process_and_reused(tmp_path: Path) -> None:
    code = textwrap.dedent(
        f"""
        import sys, pathlib
        from hopeit.redis_streams._consumer import process_slot
        print(process_slot(pathlib.Path({str(tmp_path)!r})), flush=True)
        sys.stdin.readline()
        """
    )
    first = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    second = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert first.stdout is not None and second.stdout is not None
        first_slot, second_slot = first.stdout.readline().strip(), second.stdout.readline().strip()
        assert {first_slot, second_slot} == {"0", "1"}
        first.communicate("\n", timeout=10)  # the first worker ends: a restarted one takes its slot back
        again = subprocess.run([sys.executable, "-c", code], input="\n", capture_output=True, text=True, timeout=30)
        assert again.stdout.strip() == first_slot
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.communicate("\n", timeout=10)


async def test_connect_error_names_the_address() -> None:
    port = free_port()
    address = f"redis://:pw@127.0.0.1:{port}/0"
    manager = RedisStreamManager(address=address, config=config(address, socket_connect_timeout=1))
    with pytest.raises(StreamOSError, match=rf"Cannot connect to Redis at redis://:\*\*\*@127.0.0.1:{port}/0") as err:
        await manager.connect()
    assert "pw" not in str(err.value)
    assert "running" in str(err.value)


async def test_not_connected_is_a_clear_error(redis_server: RedisServer) -> None:
    manager = RedisStreamManager(address=redis_server.url, config=config(redis_server.url))
    with pytest.raises(StreamOSError, match="not connected: await connect"):
        await manager.ensure_consumer_group(stream_name="s", consumer_group="g")


async def test_password_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = RedisServer().start()
    try:
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(server.url)
        await client.config_set("requirepass", "s3cret")
        await client.aclose()
        manager = RedisStreamManager(address=server.url, config=config(server.url))
        with pytest.raises(StreamOSError, match="check the user and password"):
            await manager.connect()
        monkeypatch.setenv("HOPEIT_REDIS_PASSWORD", "s3cret")
        manager = RedisStreamManager(address=server.url, config=config(server.url))
        await manager.connect()
        await manager.ensure_consumer_group(stream_name="s", consumer_group="g")
        await manager.close()
    finally:
        server.close()
    assert os.environ["HOPEIT_REDIS_PASSWORD"] == "s3cret"
