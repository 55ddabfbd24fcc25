"""End to end: real ``hopeit_server run`` processes answer runtime-apps-config and cluster-apps-config.

Servers ``a``, ``b``, ``c`` (see conftest) run the test apps; hosts that refuse, hang past the
client timeout or answer garbage stand beside them in the cluster view.
"""

import json
from typing import Any, Dict, List

import aiohttp
import pytest
from conftest import CLUSTER_ROUTE, RUNTIME_ROUTE, StartHost
from hopeit.testing.servers import HopeitServer, free_port
from servers import GARBAGE_ANSWERS

STREAM_APP = "stream_app.1x0"
SERVICE_APP = "service_app.1x0"
PLUGIN_APP = "mounted_plugin.1x0"
CONFIG_MANAGER = "config_manager.1x0"

CONFIGURED_STREAM_APP_EVENTS = [
    "stream_app.1x0.mounted_plugin.1x0.plugin_info",
    "stream_app.1x0.send_item",
    "stream_app.1x0.process_items",
]
EXPANDED_STREAM_APP_EVENTS = [*CONFIGURED_STREAM_APP_EVENTS, "stream_app.1x0.process_items$count",
                              "stream_app.1x0.process_items$store"]


async def get_json(route_url: str, **params: str) -> Any:
    """GET ``route_url`` and the JSON of a 200 answer (fails the test on any other status).

    Waits 30 s at most: well beyond the servers' 3 s client timeout, well below the 60 s a
    server would wait for a host that hangs if the client timeout did not hold.
    """
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        async with session.get(route_url, params=params) as response:
            body = await response.text()
            assert response.status == 200, body
            return json.loads(body)


def servers_of(apps: Dict[str, Any], app_key: str) -> List[str]:
    """``url`` of each server listed for an app, in order."""
    return [server["url"] for server in apps["apps"][app_key]["servers"]]


async def test_runtime_apps_config_of_one_server(cluster: Dict[str, HopeitServer]) -> None:
    a = cluster["a"]
    answer = await get_json(a.url + RUNTIME_ROUTE, url=a.url)
    assert list(answer["apps"]) == [CONFIG_MANAGER, PLUGIN_APP, STREAM_APP]
    assert answer["server_status"] == {a.url: "ALIVE"}
    for app in answer["apps"].values():
        [server] = app["servers"]
        assert server["url"] == a.url and server["pid"] == str(a.pid) and server["host_name"]
    stream_app = answer["apps"][STREAM_APP]
    assert list(stream_app["effective_events"]) == CONFIGURED_STREAM_APP_EVENTS
    assert stream_app["app_config"]["app"] == {"name": "stream-app", "version": "1.0"}
    assert stream_app["app_config"]["env"] == {"test": {"host": "a"}}
    assert stream_app["effective_events"]["stream_app.1x0.mounted_plugin.1x0.plugin_info"]["plug_mode"] == "OnApp"
    # the plugin lists its own (Standalone) events only: the OnApp one belongs to the apps it is mounted on
    assert list(answer["apps"][PLUGIN_APP]["effective_events"]) == ["mounted_plugin.1x0.plugin_status"]
    assert list(answer["apps"][CONFIG_MANAGER]["effective_events"]) == [
        "config_manager.1x0.runtime_apps_config", "config_manager.1x0.cluster_apps_config"
    ]


async def test_url_defaults_to_in_process(cluster: Dict[str, HopeitServer]) -> None:
    answer = await get_json(cluster["c"].url + RUNTIME_ROUTE)
    assert answer["server_status"] == {"in-process": "ALIVE"}
    assert servers_of(answer, SERVICE_APP) == ["in-process"]


async def test_expand_events_lists_shuffle_stages_and_services(cluster: Dict[str, HopeitServer]) -> None:
    b = cluster["b"]
    expanded = await get_json(b.url + RUNTIME_ROUTE, expand_events="true")
    events = expanded["apps"][STREAM_APP]["effective_events"]
    assert list(events) == EXPANDED_STREAM_APP_EVENTS
    # stages are chained by the engine's internal streams (as 0.24 names them)
    assert events["stream_app.1x0.process_items"]["write_stream"] == {
        "name": "stream_app.1x0.process_items.split", "queues": ["AUTO"], "queue_strategy": "PROPAGATE"
    }
    assert events["stream_app.1x0.process_items$count"]["read_stream"] == {
        "name": "stream_app.1x0.process_items.split",
        "consumer_group": "stream_app.1x0.process_items.count",
        "queues": ["AUTO", "urgent"],
    }
    assert events["stream_app.1x0.process_items$store"]["read_stream"]["name"] == "stream_app.1x0.process_items.count"
    assert events["stream_app.1x0.process_items$store"]["write_stream"]["name"] == "stream_app.processed"
    assert list(expanded["apps"][SERVICE_APP]["effective_events"]) == [
        "service_app.1x0.heartbeat", "service_app.1x0.ticks", "service_app.1x0.ticks$__service__"
    ]
    assert expanded["apps"][SERVICE_APP]["effective_events"]["service_app.1x0.ticks$__service__"]["type"] == "SERVICE"

    configured = await get_json(b.url + RUNTIME_ROUTE, expand_events="false")
    assert list(configured["apps"][STREAM_APP]["effective_events"]) == CONFIGURED_STREAM_APP_EVENTS
    assert configured["apps"][STREAM_APP]["effective_events"]["stream_app.1x0.process_items"]["write_stream"][
        "name"] == "stream_app.processed"
    assert list(configured["apps"][SERVICE_APP]["effective_events"]) == [
        "service_app.1x0.heartbeat", "service_app.1x0.ticks"
    ]


async def test_server_secrets_are_masked(cluster: Dict[str, HopeitServer]) -> None:
    answer = await get_json(cluster["a"].url + RUNTIME_ROUTE)
    text = json.dumps(answer)
    assert "cm-s3cret" not in text
    server = answer["apps"][STREAM_APP]["app_config"]["server"]
    assert server["auth"]["auth_passphrase"] == "***"
    assert server["streams"]["connection_str"] == "redis://cm-user:***@localhost:6379/0"
    assert server["streams"]["settings"] == {"password": "***", "pool": {"auth_token": "***", "size": 2}}


async def test_cluster_view_merges_the_servers(cluster: Dict[str, HopeitServer]) -> None:
    a, b, c = cluster["a"], cluster["b"], cluster["c"]
    merged = await get_json(b.url + CLUSTER_ROUTE, hosts=f"{a.url},{b.url},{c.url}")
    assert merged["server_status"] == {a.url: "ALIVE", b.url: "ALIVE", c.url: "ALIVE"}
    assert list(merged["apps"]) == [CONFIG_MANAGER, PLUGIN_APP, STREAM_APP, SERVICE_APP]
    assert servers_of(merged, CONFIG_MANAGER) == [a.url, b.url, c.url]
    assert servers_of(merged, STREAM_APP) == [a.url, b.url]
    assert servers_of(merged, SERVICE_APP) == [b.url, c.url]
    assert [server["pid"] for server in merged["apps"][STREAM_APP]["servers"]] == [str(a.pid), str(b.pid)]
    # the first answer gives the app's config and events; later ones only add servers
    assert merged["apps"][STREAM_APP]["app_config"]["env"] == {"test": {"host": "a"}}
    assert list(merged["apps"][STREAM_APP]["effective_events"]) == CONFIGURED_STREAM_APP_EVENTS

    reversed_order = await get_json(a.url + CLUSTER_ROUTE, hosts=f"{c.url},{b.url},{a.url}")
    assert servers_of(reversed_order, STREAM_APP) == [b.url, a.url]
    assert reversed_order["apps"][STREAM_APP]["app_config"]["env"] == {"test": {"host": "b"}}
    assert list(reversed_order["server_status"]) == [c.url, b.url, a.url]


async def test_cluster_view_expands_events(cluster: Dict[str, HopeitServer]) -> None:
    a, c = cluster["a"], cluster["c"]
    merged = await get_json(c.url + CLUSTER_ROUTE, hosts=f"{a.url},{c.url}", expand_events="true")
    assert list(merged["apps"][STREAM_APP]["effective_events"]) == EXPANDED_STREAM_APP_EVENTS
    assert "service_app.1x0.ticks$__service__" in merged["apps"][SERVICE_APP]["effective_events"]
    configured = await get_json(c.url + CLUSTER_ROUTE, hosts=f"{a.url},{c.url}", expand_events="false")
    assert list(configured["apps"][STREAM_APP]["effective_events"]) == CONFIGURED_STREAM_APP_EVENTS


async def test_in_process_is_answered_by_the_server_asked(cluster: Dict[str, HopeitServer]) -> None:
    a, c = cluster["a"], cluster["c"]
    merged = await get_json(c.url + CLUSTER_ROUTE, hosts=f"in-process,{a.url}")
    assert merged["server_status"] == {"in-process": "ALIVE", a.url: "ALIVE"}
    assert [server["pid"] for server in merged["apps"][CONFIG_MANAGER]["servers"]] == [str(c.pid), str(a.pid)]
    assert servers_of(merged, SERVICE_APP) == ["in-process"]


async def test_hosts_down_hanging_or_answering_garbage_are_errors(
    cluster: Dict[str, HopeitServer], misbehaving: StartHost
) -> None:
    a, b = cluster["a"], cluster["b"]
    hanging = await misbehaving(None)
    garbage = {name: await misbehaving(answer) for name, answer in GARBAGE_ANSWERS.items()}
    refused = f"http://127.0.0.1:{free_port()}"
    hosts = [a.url, refused, hanging.url, *(host.url for host in garbage.values()), b.url]

    merged = await get_json(b.url + CLUSTER_ROUTE, hosts=",".join(hosts))

    assert merged["server_status"] == {
        a.url: "ALIVE", refused: "ERROR", hanging.url: "ERROR",
        **{host.url: "ERROR" for host in garbage.values()}, b.url: "ALIVE",
    }
    assert servers_of(merged, STREAM_APP) == [a.url, b.url]
    assert servers_of(merged, SERVICE_APP) == [b.url]
    assert len(hanging.queries) == 1 and all(len(host.queries) == 1 for host in garbage.values())


async def test_a_cluster_of_dead_hosts_still_answers(cluster: Dict[str, HopeitServer]) -> None:
    refused = f"http://127.0.0.1:{free_port()}"
    merged = await get_json(cluster["c"].url + CLUSTER_ROUTE, hosts=f"{refused},not a url")
    assert merged == {"apps": {}, "server_status": {refused: "ERROR", "not a url": "ERROR"}}


@pytest.mark.parametrize("query", [{}, {"hosts": "in-process", "expand_events": "maybe"}])
async def test_cluster_route_validates_its_query_args(cluster: Dict[str, HopeitServer], query: Dict[str, str]) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(cluster["a"].url + CLUSTER_ROUTE, params=query) as response:
            assert response.status == 400, await response.text()
