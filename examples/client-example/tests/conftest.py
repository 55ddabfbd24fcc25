"""Fixtures of client-example tests: a running simple-example, and client-example configs pointing at it."""

import json
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from simple_example.testing import RunningServer, simple_example_configs

EXAMPLE_DIR = Path(__file__).parent.parent
SIMPLE_EXAMPLE_CONFIG = EXAMPLE_DIR.parent / "simple-example" / "config"
CONNECTIONS = ("simple_example_auth_conn", "simple_example_conn", "simple_example_conn_unsecured")


@pytest.fixture(scope="module")
def secrets_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """App keys of both apps: each server verifies the other's tokens with the public keys found here."""
    return tmp_path_factory.mktemp("secrets")


@pytest.fixture(scope="module")
def simple_example(tmp_path_factory: pytest.TempPathFactory, secrets_path: Path) -> Iterator[RunningServer]:
    """simple-example served by hopeit_server, as client-example's target."""
    folder = tmp_path_factory.mktemp("simple-example")
    config_files = simple_example_configs(SIMPLE_EXAMPLE_CONFIG, folder, secrets_location=secrets_path)
    server = RunningServer(config_files, workdir=folder, start_streams=False)
    try:
        yield server.start()
    finally:
        code = server.stop()
    assert code == 0, server.output()


def client_configs(folder: Path, secrets_path: Path, target: RunningServer) -> List[Path]:
    """client-example server and app config, calling ``target``; returns both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    server: Dict[str, Any] = json.loads((EXAMPLE_DIR / "config" / "server.json").read_text())
    server["auth"]["secrets_location"] = str(secrets_path)
    server["logging"]["log_path"] = f"{folder / 'logs'}/"
    app: Dict[str, Any] = json.loads((EXAMPLE_DIR / "config" / "app-config.json").read_text())
    for key in CONNECTIONS:
        app["settings"][key]["connection_str"] = target.base_url
    paths = [folder / "server.json", folder / "app-config.json"]
    for path, data in zip(paths, (server, app)):
        path.write_text(json.dumps(data, indent=2))
    return paths
