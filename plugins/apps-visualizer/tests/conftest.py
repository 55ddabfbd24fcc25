"""Fixtures: one real server of the example apps with config-manager, and the visualizer's config."""

import os
import sys
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
from hopeit.app.config import AppConfig
from hopeit.config_manager import RuntimeApps
from hopeit.dataobjects.payload import Payload
from hopeit.testing.apps import config

sys.path.insert(0, str(Path(__file__).parent))

from servers import cluster_server, plugin_config, write_json
from simple_example.testing import RunningServer

# the packaged plugin config reads it: the smoke test loads that config as a server would
os.environ.setdefault("HOPEIT_APPS_VISUALIZER_HOSTS", "in-process")

pytest_plugins = ["hopeit.testing.redis"]


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """simple-example and client-example with config-manager, served by one ``hopeit_server``."""
    server = cluster_server(tmp_path_factory.mktemp("cluster"), client_example=True)
    server.start()
    try:
        yield server
    finally:
        code = server.stop()
    assert code == 0, server.output()


def fetch_runtime_apps(server: RunningServer, expand_events: bool) -> RuntimeApps:
    """``runtime-apps-config`` of ``server``, asked over HTTP as the visualizer asks it."""
    url = (f"{server.base_url}/api/config-manager/1x0/runtime-apps-config"
           f"?url={server.base_url}&expand_events={'true' if expand_events else 'false'}")
    with urllib.request.urlopen(url, timeout=30) as response:
        return Payload.from_json(response.read(), RuntimeApps)


@pytest.fixture(scope="session")
def configured_apps(cluster: RunningServer) -> RuntimeApps:
    """The apps of ``cluster`` with their events as configured."""
    return fetch_runtime_apps(cluster, expand_events=False)


@pytest.fixture(scope="session")
def effective_apps(cluster: RunningServer) -> RuntimeApps:
    """The apps of ``cluster`` with the events the engine runs (SHUFFLE stages, services)."""
    return fetch_runtime_apps(cluster, expand_events=True)


@pytest.fixture
def visualizer_config(tmp_path: Path, cluster: RunningServer) -> AppConfig:
    """The packaged apps-visualizer config, drawing ``cluster``, for events run in this process."""
    data = plugin_config("apps-visualizer")
    data["settings"]["apps_visualizer"]["hosts"] = cluster.base_url
    return config(write_json(tmp_path / "apps-visualizer.json", data))


