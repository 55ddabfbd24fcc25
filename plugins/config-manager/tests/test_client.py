"""``get_apps_config`` in this process: hosts asked at once, answers merged, failures marked ERROR."""

import asyncio
from typing import Dict, List, Optional, Tuple

import pytest
from aiohttp import web
from conftest import StartHost
from hopeit.app.config import AppConfig, EventDescriptor, EventType
from hopeit.config_manager import RuntimeAppInfo, RuntimeApps, ServerInfo, ServerStatus, client
from hopeit.config_manager.client import (
    ConfigManagerClientSettings,
    get_apps_config,
    is_true,
    merge_apps_config,
    query_params,
    runtime_apps_config_url,
)
from hopeit.config_manager.plugin import config_path
from hopeit.contracts.version import APPS_ROUTE_VERSION
from hopeit.dataobjects.payload import Payload
from hopeit.testing.apps import config, create_test_context, execute_event
from hopeit.testing.servers import free_port
from servers import GARBAGE_ANSWERS

EVENT = EventDescriptor(type=EventType.GET)


def runtime_app(name: str, *servers: ServerInfo, env: str = "") -> RuntimeAppInfo:
    """An app called ``name`` (version 1.0) running on ``servers``; ``env`` tells copies apart."""
    app_config = AppConfig.from_dict(  # type: ignore[attr-defined]
        {"app": {"name": name, "version": "1.0"}, "env": {"test": {"copy": env}}}
    )
    return RuntimeAppInfo(servers=list(servers), app_config=app_config,
                          effective_events={f"{app_config.app_key()}.event": EVENT})


def answer_of(url: str, *apps: str, status: Optional[ServerStatus] = ServerStatus.ALIVE) -> RuntimeApps:
    """What a host at ``url`` running ``apps`` answers (``status=None``: it reports no status)."""
    server = ServerInfo(host_name=url.rsplit(":", 1)[-1], pid="1", url=url)
    return RuntimeApps(apps={f"{app.replace('-', '_')}.1x0": runtime_app(app, server, env=url) for app in apps},
                       server_status={} if status is None else {url: status})


def json_answer(apps: RuntimeApps) -> web.StreamResponse:
    """A 200 answer with ``apps`` as JSON."""
    return web.Response(text=Payload.to_json(apps), content_type="application/json")


@pytest.fixture
def plugin_config() -> AppConfig:
    """The packaged plugin config, waiting 2 s for each host."""
    app_config = config(config_path())
    app_config.settings["config_manager_client"]["client_timeout"] = 2.0
    return app_config


def test_merge_first_answer_wins_later_ones_add_servers() -> None:
    answers: List[Tuple[str, Optional[RuntimeApps]]] = [
        ("h1", answer_of("h1", "app-a")),
        ("h2", None),
        ("h3", answer_of("h3", "app-a", "app-b", status=None)),
        ("h4", answer_of("h4", "app-b", status=ServerStatus.ERROR)),
    ]
    merged = merge_apps_config(answers)
    assert list(merged.apps) == ["app_a.1x0", "app_b.1x0"]
    first = answers[0][1]
    assert first is not None and len(first.apps["app_a.1x0"].servers) == 1  # the answers are not changed
    assert [server.url for server in merged.apps["app_a.1x0"].servers] == ["h1", "h3"]
    assert [server.url for server in merged.apps["app_b.1x0"].servers] == ["h3", "h4"]
    assert merged.apps["app_a.1x0"].app_config.env == {"test": {"copy": "h1"}}
    assert merged.apps["app_b.1x0"].app_config.env == {"test": {"copy": "h3"}}
    assert merged.server_status == {
        "h1": ServerStatus.ALIVE, "h2": ServerStatus.ERROR, "h3": ServerStatus.ALIVE, "h4": ServerStatus.ERROR,
    }
    assert merge_apps_config([]) == RuntimeApps(apps={}, server_status={})


def test_request_url_and_query_args() -> None:
    assert runtime_apps_config_url("http://h:8020/") == f"http://h:8020/api/config-manager/{APPS_ROUTE_VERSION}/runtime-apps-config"
    assert query_params("http://h:8020", {"expand_events": True, "skip": None, "Name": "A&b=c"}) == [
        ("url", "http://h:8020"), ("expand_events", "true"), ("Name", "A&b=c"),
    ]
    assert query_params("h", {"expand_events": False}) == [("url", "h"), ("expand_events", "false")]


@pytest.mark.parametrize("value, expected", [
    (True, True), ("true", True), ("True", True), (False, False), ("false", False), ("yes", False), (None, False),
])
def test_is_true(value: object, expected: bool) -> None:
    assert is_true(value) is expected


def test_settings_default() -> None:
    assert ConfigManagerClientSettings().client_timeout == 10.0


async def test_hosts_asked_concurrently_and_merged(
    plugin_config: AppConfig, misbehaving: StartHost, apps_here: Dict[str, AppConfig]
) -> None:
    hosts: Dict[str, str] = {}
    second_asked = asyncio.Event()

    async def first_answer() -> web.StreamResponse:
        await second_asked.wait()  # answers only once the last host was asked: hosts are asked at once
        return json_answer(answer_of(hosts["first"], "app-a", "app-one"))

    def second_answer() -> web.StreamResponse:
        second_asked.set()
        return json_answer(answer_of(hosts["second"], "app-a", "app-two"))

    good = [await misbehaving(first_answer), await misbehaving(second_answer)]
    hosts.update({"first": good[0].url, "second": good[1].url})
    hanging = await misbehaving(None)
    garbage = [await misbehaving(answer) for answer in GARBAGE_ANSWERS.values()]
    refused = f"http://127.0.0.1:{free_port()}"
    asked = [good[0].url, hanging.url, refused, *(host.url for host in garbage), "in-process", good[1].url]
    context = create_test_context(plugin_config, "cluster_apps_config")

    merged = await asyncio.wait_for(get_apps_config(" , ".join([*asked, good[0].url]), context, expand_events=True),
                                    timeout=20)

    assert list(merged.server_status) == asked  # in the order given, a host repeated is asked once
    assert merged.server_status == {
        **{url: ServerStatus.ERROR for url in asked},
        good[0].url: ServerStatus.ALIVE, "in-process": ServerStatus.ALIVE, good[1].url: ServerStatus.ALIVE,
    }
    assert [server.url for server in merged.apps["app_a.1x0"].servers] == [good[0].url, good[1].url]
    assert list(merged.apps)[:2] == ["app_a.1x0", "app_one.1x0"]
    assert "service_app.1x0.ticks$__service__" in merged.apps["service_app.1x0"].effective_events
    assert [server.url for server in merged.apps["app_two.1x0"].servers] == [good[1].url]
    assert good[0].queries == [{"url": good[0].url, "expand_events": "true"}]
    assert len(hanging.queries) == 1


async def test_default_timeout_and_no_kwargs(misbehaving: StartHost, apps_here: Dict[str, AppConfig]) -> None:
    app_config = config(config_path())
    del app_config.settings["config_manager_client"]  # the default client settings: 10 s
    host = await misbehaving(lambda: json_answer(answer_of("x", "app-a")))
    merged = await get_apps_config(f"in-process,{host.url}", create_test_context(app_config, "cluster_apps_config"))
    assert host.queries == [{"url": host.url}]
    assert merged.server_status == {"in-process": ServerStatus.ALIVE, host.url: ServerStatus.ALIVE}
    assert "service_app.1x0.ticks$__service__" not in merged.apps["service_app.1x0"].effective_events


async def test_an_answer_too_large_is_an_error(
    plugin_config: AppConfig, misbehaving: StartHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = answer_of("small", "app-a")
    large = answer_of("large", *(f"app-{n}" for n in range(50)))
    limit = len(Payload.to_json(small)) + 100
    assert len(Payload.to_json(large)) > limit
    monkeypatch.setattr(client, "MAX_ANSWER_BYTES", limit)
    small_host = await misbehaving(lambda: json_answer(small))
    large_host = await misbehaving(lambda: json_answer(large))
    context = create_test_context(plugin_config, "cluster_apps_config")
    merged = await get_apps_config(f"{small_host.url},{large_host.url}", context)
    assert merged.server_status == {small_host.url: ServerStatus.ALIVE, large_host.url: ServerStatus.ERROR}
    assert list(merged.apps) == ["app_a.1x0"]


async def test_cluster_apps_config_event(plugin_config: AppConfig, apps_here: Dict[str, AppConfig]) -> None:
    refused = f"http://127.0.0.1:{free_port()}"
    merged = await execute_event(plugin_config, "cluster_apps_config", None,
                                 hosts=f"in-process,{refused}", expand_events="true")
    assert merged.server_status == {"in-process": ServerStatus.ALIVE, refused: ServerStatus.ERROR}
    assert "stream_app.1x0.process_items$store" in merged.apps["stream_app.1x0"].effective_events
