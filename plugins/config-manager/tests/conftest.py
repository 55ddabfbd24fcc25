"""Fixtures: three real servers running the test apps with config-manager, and misbehaving hosts.

======  ==========================================================  ==========================
server  config files                                                config-manager loaded
======  ==========================================================  ==========================
``a``   server.json, mounted-plugin, stream-app                     by name (server config)
``b``   server-plain.json, plugin copy, mounted-plugin, stream-app,  by file, client_timeout 3 s
        service-app
``c``   server-plain.json, plugin copy, service-app                 by file, client_timeout 3 s
======  ==========================================================  ==========================

Each server names itself in stream-app's env (``env.test.host``), so the merged view shows whose
config came first.
"""

from pathlib import Path
from typing import AsyncIterator, Awaitable, Callable, Dict, Iterator, List, Optional

import pytest
from hopeit.app.config import AppConfig
from hopeit.contracts.version import APPS_ROUTE_VERSION
from hopeit.server import runtime
from hopeit.server.config_files import load_config_files
from hopeit.testing.servers import HopeitServer
from servers import CONFIG, Answer, MisbehavingHost, app_server, plugin_config_with_timeout, start_all, stop_all

StartHost = Callable[[Optional[Answer]], Awaitable[MisbehavingHost]]

#: The client timeout of servers b and c: how long their cluster view waits for a host.
CLIENT_TIMEOUT = 3.0
RUNTIME_ROUTE = f"/api/config-manager/{APPS_ROUTE_VERSION}/runtime-apps-config"
CLUSTER_ROUTE = f"/api/config-manager/{APPS_ROUTE_VERSION}/cluster-apps-config"


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, HopeitServer]]:
    """Servers ``a``, ``b`` and ``c``, started once for the session."""
    workdir: Path = tmp_path_factory.mktemp("cluster")
    plugin = plugin_config_with_timeout(workdir, CLIENT_TIMEOUT)
    files = {
        "a": [CONFIG / "server.json", CONFIG / "mounted-plugin.json", CONFIG / "stream-app.json"],
        "b": [CONFIG / "server-plain.json", plugin, CONFIG / "mounted-plugin.json", CONFIG / "stream-app.json",
              CONFIG / "service-app.json"],
        "c": [CONFIG / "server-plain.json", plugin, CONFIG / "service-app.json"],
    }
    servers = {name: app_server(name, config, workdir, env={"CM_TEST_HOST": name}) for name, config in files.items()}
    start_all(list(servers.values()), RUNTIME_ROUTE)
    yield servers
    stop_all(list(servers.values()))


@pytest.fixture
async def misbehaving() -> AsyncIterator[StartHost]:
    """Start hosts that answer what a factory makes, or never (``None``); all stopped after the test."""
    started: List[MisbehavingHost] = []

    async def start(answer: Optional[Answer]) -> MisbehavingHost:
        host = await MisbehavingHost(answer).start()
        started.append(host)
        return host

    yield start
    for host in started:
        await host.stop()


@pytest.fixture
async def apps_here(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Dict[str, AppConfig]]:
    """This process runs what server ``a`` runs, plus service-app: config-manager loaded by name."""
    monkeypatch.setenv("CM_TEST_HOST", "here")
    server_config, apps = load_config_files([
        CONFIG / "server.json", CONFIG / "mounted-plugin.json", CONFIG / "stream-app.json", CONFIG / "service-app.json",
    ])
    await runtime.server.start(config=server_config)
    try:
        for app_config in apps:
            await runtime.server.start_app(app_config)
        yield {app_config.app_key(): app_config for app_config in apps}
    finally:
        await runtime.server.stop()
