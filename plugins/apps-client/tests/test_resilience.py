import asyncio
import logging
import time
from typing import Any, List

import aiohttp
import pytest
from aiohttp import web
from conftest import FakeClock, FakeHost, Something, caller_config, fake_clock
from hopeit.app.client import app_call, app_client
from hopeit.apps_client import AppsClient, AppsClientException, ClientLoadBalancerException
from hopeit.apps_client.load_balancer import CircuitBreakLoadBalancer
from test_client import context_of, settings

pytestmark = pytest.mark.usefixtures("caplog")


async def query(app_config: Any, item_id: str = "1") -> Something:
    return await app_call("target_conn", event="query_something", datatype=Something, payload=None,
                          context=context_of(app_config), item_id=item_id)


def client_of(app_config: Any) -> AppsClient:
    client = app_client("target_conn", context_of(app_config))
    assert isinstance(client, AppsClient) and client.state is not None
    return client


def balancer_of(app_config: Any) -> CircuitBreakLoadBalancer:
    state = client_of(app_config).state
    assert state is not None
    return state.load_balancer


def clock_of(app_config: Any) -> FakeClock:
    return fake_clock(client_of(app_config))


def failures(caplog: pytest.LogCaptureFixture, host: FakeHost) -> List[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "hopeit.apps_client" and f"call failed: host={host.url} " in r.getMessage()]


def server_error(request: web.Request) -> web.Response:
    return web.json_response({"msg": "Internal server error", "tb": []}, status=500)


def slow(seconds: float) -> Any:
    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(seconds)
        return web.json_response({"id": "slow", "host": "slow"})

    return handler


async def test_round_robin(hosts: List[FakeHost], started: Any) -> None:
    app_config = await started(caller_config(settings(hosts)))
    answered = [(await query(app_config)).host for _ in range(4)]
    assert answered == ["host0", "host1", "host0", "host1"]


async def test_server_error_is_retried_on_the_next_host(
    hosts: List[FakeHost], started: Any, caplog: pytest.LogCaptureFixture
) -> None:
    hosts[0].behaviour["query_something"] = server_error
    app_config = await started(caller_config(settings(hosts)))
    with caplog.at_level(logging.WARNING, logger="hopeit.apps_client"):
        assert (await query(app_config)).host == "host1"
    [line] = failures(caplog, hosts[0])
    assert "status=500 attempt=1/2: ServerException: query_something answered 500" in line
    record = next(r for r in caplog.records if "call failed" in r.getMessage())
    assert "track.request_id=req-1" in record.extra  # type: ignore[attr-defined]


async def test_backoff_between_attempts(hosts: List[FakeHost], started: Any, caplog: pytest.LogCaptureFixture) -> None:
    for host in hosts:
        host.behaviour["query_something"] = server_error
    app_config = await started(caller_config(settings(
        hosts, retries=3, retry_backoff_ms=100, retry_last_backoff_ms=150, circuit_breaker_open_failures=0
    )))
    start = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="hopeit.apps_client"), pytest.raises(AppsClientException) as err:
        await query(app_config)
    elapsed = time.monotonic() - start
    assert 0.4 <= elapsed < 2.0  # waits of 0.1, 0.15, 0.15 s
    assert str(err.value).endswith("(3 retries)")
    assert "Server or IO Error calling query_something of target-app: ServerException" in str(err.value)
    assert [h.hits() for h in hosts] == [2, 2]
    attempts = [line.split("attempt=")[1][:3] for h in hosts for line in failures(caplog, h)]
    assert sorted(attempts) == ["1/4", "2/4", "3/4", "4/4"]


async def test_no_retries(hosts: List[FakeHost], started: Any) -> None:
    hosts[0].behaviour["query_something"] = server_error
    app_config = await started(caller_config(settings(hosts, retries=0)))
    with pytest.raises(AppsClientException, match=r"\(0 retries\)"):
        await query(app_config)
    assert [h.hits() for h in hosts] == [1, 0]


async def test_one_host_down(hosts: List[FakeHost], started: Any, caplog: pytest.LogCaptureFixture) -> None:
    await hosts[0].stop()
    app_config = await started(caller_config(settings(hosts, circuit_breaker_open_failures=2)))
    with caplog.at_level(logging.WARNING, logger="hopeit.apps_client"):
        answered = [(await query(app_config)).host for _ in range(8)]
    assert answered == ["host1"] * 8
    down = failures(caplog, hosts[0])
    assert len(down) == 2  # then the breaker is open and the dead host is skipped
    assert "status=- attempt=1/2: ClientConnectorError" in down[0]
    assert f"circuit breaker open for host {hosts[0].url} after 2 consecutive failures" in caplog.text
    assert balancer_of(app_config).is_open(0, time.time())


async def test_recovered_host_is_used_again(hosts: List[FakeHost], started: Any) -> None:
    await hosts[0].stop()
    app_config = await started(caller_config(settings(
        hosts, circuit_breaker_open_failures=1, circuit_breaker_open_seconds=1
    )))
    clock = clock_of(app_config)
    assert [(await query(app_config)).host for _ in range(3)] == ["host1"] * 3
    await hosts[0].start()
    clock.advance(0.9)
    assert [(await query(app_config)).host for _ in range(2)] == ["host1"] * 2  # still open
    clock.advance(0.2)
    answered = {(await query(app_config)).host for _ in range(4)}
    assert answered == {"host0", "host1"}
    assert balancer_of(app_config).cb_open_ttl == [0.0, 0.0]


async def test_all_hosts_down(hosts: List[FakeHost], started: Any, caplog: pytest.LogCaptureFixture) -> None:
    for host in hosts:
        await host.stop()
    app_config = await started(caller_config(settings(
        hosts, retries=1, circuit_breaker_open_failures=1, circuit_breaker_open_seconds=1
    )))
    clock = clock_of(app_config)
    with caplog.at_level(logging.WARNING, logger="hopeit.apps_client"), pytest.raises(AppsClientException) as err:
        await query(app_config)
    assert "Server or IO Error calling query_something of target-app: ClientConnectorError" in str(err.value)
    assert str(err.value).endswith("(1 retries)")
    assert isinstance(err.value.__cause__, aiohttp.ClientConnectorError)
    assert len(failures(caplog, hosts[0])) == len(failures(caplog, hosts[1])) == 1
    # every breaker is open now: calls fail at once without touching the network
    with pytest.raises(ClientLoadBalancerException, match="every host has its circuit breaker open"):
        await query(app_config)
    for host in hosts:
        await host.start()
    with pytest.raises(ClientLoadBalancerException):
        await query(app_config)
    clock.advance(1.1)
    assert (await query(app_config)).id == "1"
    assert sum(h.hits() for h in hosts) == 1


async def test_half_open_host_failing_again(hosts: List[FakeHost], started: Any) -> None:
    hosts[0].behaviour["query_something"] = server_error
    app_config = await started(caller_config(settings(
        hosts, circuit_breaker_open_failures=2, circuit_breaker_open_seconds=1
    )))
    clock = clock_of(app_config)
    for _ in range(6):
        await query(app_config)
    assert hosts[0].hits() == 2
    clock.advance(1.1)
    for _ in range(6):
        await query(app_config)
    assert hosts[0].hits() == 3  # one trial call, then open again at once


async def test_timeout_moves_on_to_the_next_host(
    hosts: List[FakeHost], started: Any, caplog: pytest.LogCaptureFixture
) -> None:
    hosts[0].behaviour["query_something"] = slow(1.0)
    app_config = await started(caller_config(settings(hosts, request_timeout_seconds=0.2)))
    start = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="hopeit.apps_client"):
        assert (await query(app_config)).host == "host1"
    assert time.monotonic() - start < 0.8
    [line] = failures(caplog, hosts[0])
    assert "status=- attempt=1/2" in line and "Timeout" in line


async def test_timeout_on_every_host(hosts: List[FakeHost], started: Any) -> None:
    for host in hosts:
        host.behaviour["query_something"] = slow(1.0)
    app_config = await started(caller_config(settings(hosts, request_timeout_seconds=0.2)))
    with pytest.raises(AppsClientException, match=r"\(1 retries\)") as err:
        await query(app_config)
    assert isinstance(err.value.__cause__, asyncio.TimeoutError)


@pytest.mark.parametrize(("max_connections", "slower_than", "faster_than"), [(1, 0.6, 5.0), (10, 0.0, 0.5)])
async def test_connection_pool_limit(
    hosts: List[FakeHost], started: Any, max_connections: int, slower_than: float, faster_than: float
) -> None:
    hosts[0].behaviour["query_something"] = slow(0.2)
    app_config = await started(caller_config(settings(hosts[:1], max_connections=max_connections)))
    start = time.monotonic()
    await asyncio.gather(*(query(app_config) for _ in range(3)))
    assert slower_than <= time.monotonic() - start < faster_than


async def test_pool_options_reach_the_connector(hosts: List[FakeHost]) -> None:
    app_config = caller_config(settings(hosts, max_connections=7, max_connections_per_host=3, dns_cache_ttl=0))
    client = await AppsClient(app_config, "target_conn").start()
    try:
        assert client.session is not None
        connector = client.session.connector
        assert connector is not None and (connector.limit, connector.limit_per_host) == (7, 3)
        assert isinstance(connector, aiohttp.TCPConnector) and not connector.use_dns_cache
    finally:
        await client.stop()
