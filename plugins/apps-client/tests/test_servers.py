"""Apps calling apps for real: ``hopeit_server run`` processes of ``target-app`` and ``caller-app``.

The module cluster is two target hosts plus a caller host whose three connections (one per auth
strategy) reach both targets. Failure scenarios get their own target hosts and call them from an
in-process client, so the test can read the breaker state and the exceptions.
"""

import asyncio
import json
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List

import aiohttp
import pytest
from conftest import caller_config, fake_clock
from hopeit.app.client import app_call, app_client
from hopeit.app.errors import Unauthorized
from hopeit.apps_client import AppsClient, AppsClientException, ClientLoadBalancerException
from hopeit.server.config import AuthConfig
from hopeit.testing.apps import create_test_context
from hopeit.toolkit import auth
from servers import CALLER_BASE, CALLER_CONFIG, AppServer, caller, start_all, target
from target_app import Identity, Something

PASSPHRASE = "test-passphrase"  # as in target_app/config/server.json
CALLER_KEY = "caller_app.1x0"


def create_keys(secrets: Path) -> None:
    """Key pairs of both apps made up front, so hosts starting together do not race to write them."""
    for app_key in ("target_app.1x0", CALLER_KEY):
        auth.init(app_key, AuthConfig(secrets_location=str(secrets), auth_passphrase=PASSPHRASE, create_keys=True))
    auth.init(CALLER_KEY, AuthConfig.no_auth())


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("apps-client-servers")
    create_keys(path / "secrets")
    return path


@pytest.fixture(scope="module")
def cluster(workdir: Path) -> Iterator[Dict[str, AppServer]]:
    targets = [target(f"t{i}", workdir, workdir / "secrets") for i in (1, 2)]
    calling = caller(workdir, workdir / "secrets", targets)
    servers = start_all([*targets, calling])
    yield {s.name: s for s in servers}
    for server in servers:
        server.stop()


@pytest.fixture
def fresh_targets(workdir: Path, request: pytest.FixtureRequest) -> Iterator[List[AppServer]]:
    name = request.node.name[:20]
    targets = start_all([target(f"{name}-t{i}", workdir, workdir / "secrets") for i in (1, 2)])
    yield targets
    for server in targets:
        server.stop()


@pytest.fixture
def caller_key(workdir: Path) -> Iterator[None]:
    auth.init(CALLER_KEY, AuthConfig(secrets_location=str(workdir / "secrets"), auth_passphrase=PASSPHRASE))
    yield
    auth.init(CALLER_KEY, AuthConfig.no_auth())


async def get(url: str, **kwargs: Any) -> Any:
    async with aiohttp.ClientSession() as session, session.get(url, **kwargs) as resp:
        return resp.status, await resp.json(content_type=None), resp.headers  # errors: text/plain (0.24)


async def test_client_app_public_key(cluster: Dict[str, AppServer]) -> None:
    status, body, _ = await get(f"{cluster['caller'].url}{CALLER_BASE}/call-whoami")
    assert status == 200, body
    assert (body["auth_type"], body["principal"]) == ("Bearer", CALLER_KEY)
    assert body["host"] in ("t1", "t2")


async def test_forward_context(cluster: Dict[str, AppServer]) -> None:
    status, body, _ = await get(f"{cluster['caller'].url}{CALLER_BASE}/call-basic",
                                headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert status == 200, body
    assert (body["auth_type"], body["principal"]) == ("Basic", "dXNlcjpwYXNz")
    status, body, _ = await get(f"{cluster['caller'].url}{CALLER_BASE}/call-basic")
    assert status == 401


async def test_track_ids_follow_the_request(cluster: Dict[str, AppServer]) -> None:
    headers = {"X-Track-Request-Id": "req-across-apps", "X-Track-Session-Id": "session-7"}
    status, body, response_headers = await get(f"{cluster['caller'].url}{CALLER_BASE}/call-track", headers=headers)
    assert status == 200, body
    track = body["track"]
    assert track["track.request_id"] == "req-across-apps"
    assert track["track.session_id"] == "session-7"
    assert track["track.client_app_key"] == CALLER_KEY
    assert track["track.client_event_name"] == "call_track"
    assert track["track.operation_id"] == response_headers["X-Track-Operation-Id"]
    assert response_headers["X-Track-Request-Id"] == "req-across-apps"


async def test_responses_mapping(cluster: Dict[str, AppServer]) -> None:
    url = f"{cluster['caller'].url}{CALLER_BASE}/call-query"
    assert (await get(url, params={"item_id": "missing3"}))[1] == {"call_query": "SomethingNotFound: missing3"}
    assert (await get(url, params={"item_id": "i1"}))[1] == {"call_query": "Something: i1"}


async def test_post_round_robin(cluster: Dict[str, AppServer]) -> None:
    answers = []
    async with aiohttp.ClientSession() as session:
        for i in range(4):
            async with session.post(f"{cluster['caller'].url}{CALLER_BASE}/call-save",
                                    json={"id": f"x{i}", "user": "ann"}) as resp:
                answers.append((await resp.json())["call_save"])
    hosts = [answer.rsplit(" ", 1)[1] for answer in answers]
    assert sorted(hosts) == ["t1", "t1", "t2", "t2"] and hosts[0] != hosts[1]
    assert answers[0].startswith("saved x0 by ann at ")


async def test_list_and_routes_override(cluster: Dict[str, AppServer]) -> None:
    status, body, _ = await get(f"{cluster['caller'].url}{CALLER_BASE}/call-list", params={"count": "3"})
    assert status == 200 and [item["id"] for item in body] == ["0", "1", "2"]
    status, body, _ = await get(f"{cluster['caller'].url}{CALLER_BASE}/call-custom")
    assert status == 200 and body["call_custom"].startswith("custom route at t")


def in_process_config(targets: List[AppServer], **settings: Any) -> Any:
    events = ["query_something", "slow", "fail", "whoami_bearer"]
    return caller_config(
        {"connection_str": ",".join(t.url for t in targets), "auth_strategy": "UNSECURED", **settings},
        events={"caller_event": {"type": "GET", "connections": [
            {"app_connection": "target_conn", "event": e, "type": "GET"} for e in events]}},
    )


async def call(app_config: Any, event: str = "query_something", datatype: Any = Something, **query: Any) -> Any:
    context = create_test_context(app_config, "caller_event")
    return await app_call("target_conn", event=event, datatype=datatype, payload=None, context=context, **query)


async def test_unsecured_call_to_bearer_event(cluster: Dict[str, AppServer], started: Any) -> None:
    app_config = await started(in_process_config([cluster["t1"]]))
    with pytest.raises(Unauthorized, match="Credentials required: this endpoint accepts Bearer"):
        await call(app_config, "whoami_bearer", Identity)


async def test_in_process_caller_signs_with_its_key(
    cluster: Dict[str, AppServer], started: Any, caller_key: None
) -> None:
    app_config = await started(in_process_config([cluster["t1"]], auth_strategy="CLIENT_APP_PUBLIC_KEY"))
    identity = await call(app_config, "whoami_bearer", Identity)
    assert (identity.principal, identity.host) == (CALLER_KEY, "t1")


async def test_server_error_is_retried_then_reported(cluster: Dict[str, AppServer], started: Any) -> None:
    app_config = await started(in_process_config([cluster["t1"], cluster["t2"]]))
    with pytest.raises(AppsClientException, match="target failed on purpose") as err:
        await call(app_config, "fail", str)
    assert str(err.value).endswith("(1 retries)")


async def test_timeouts(cluster: Dict[str, AppServer], started: Any) -> None:
    app_config = await started(in_process_config([cluster["t1"], cluster["t2"]], request_timeout_seconds=0.5))
    assert (await call(app_config, "slow", seconds="0.1")).id == "slept 0.1"
    start = time.monotonic()
    with pytest.raises(AppsClientException, match=r"\(1 retries\)") as err:
        await call(app_config, "slow", seconds="3")
    assert isinstance(err.value.__cause__, asyncio.TimeoutError)
    assert time.monotonic() - start < 2.0


async def test_one_host_down_then_back(fresh_targets: List[AppServer], started: Any) -> None:
    app_config = await started(in_process_config(
        fresh_targets, circuit_breaker_open_failures=2, circuit_breaker_open_seconds=1
    ))
    down, up = fresh_targets
    client = app_client("target_conn", create_test_context(app_config, "caller_event"))
    assert isinstance(client, AppsClient) and client.state is not None
    clock = fake_clock(client)
    down.kill()
    hosts = [(await call(app_config, item_id=str(i))).host for i in range(6)]
    assert set(hosts) == {up.name}
    assert client.state.load_balancer.cb_failures == [2, 0]
    down.start().wait_ready()
    clock.advance(1.1)
    hosts = [(await call(app_config, item_id=str(i))).host for i in range(4)]
    assert set(hosts) == {down.name, up.name}
    assert client.state.load_balancer.cb_open_ttl == [0.0, 0.0]


async def test_all_hosts_down_then_back(fresh_targets: List[AppServer], started: Any) -> None:
    app_config = await started(in_process_config(
        fresh_targets, retries=1, circuit_breaker_open_failures=1, circuit_breaker_open_seconds=1
    ))
    assert (await call(app_config, item_id="before")).id == "before"
    clock = fake_clock(app_client("target_conn", create_test_context(app_config, "caller_event")))
    for server in fresh_targets:
        server.kill()
    with pytest.raises(AppsClientException) as err:
        await call(app_config, item_id="during")
    assert "Server or IO Error calling query_something of target-app" in str(err.value)
    assert str(err.value).endswith("(1 retries)")
    with pytest.raises(ClientLoadBalancerException, match="every host has its circuit breaker open"):
        await call(app_config, item_id="during")
    for server in fresh_targets:
        server.start()
    for server in fresh_targets:
        server.wait_ready()
    clock.advance(1.1)
    assert (await call(app_config, item_id="after")).id == "after"


def test_start_fails_on_an_event_the_target_cannot_serve(
    workdir: Path, cluster: Dict[str, AppServer], tmp_path: Path
) -> None:
    config = json.loads(CALLER_CONFIG.read_text())
    config["events"]["call_whoami"]["connections"][0]["event"] = "who ami?"
    bad = tmp_path / "caller.json"
    bad.write_text(json.dumps(config))
    server = caller(tmp_path, workdir / "secrets", [cluster["t1"]], config=bad).start()
    assert server.wait_exit() != 0
    assert (
        "app caller_app.1x0, app connection 'target_conn', event 'call_whoami': "
        "remote event 'who ami?' is not an event name of app target-app"
    ) in server.output()
