"""dataframes-example run as a user runs it: ``hopeit_server run`` with its configs, data under a temporary folder."""

import json
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List, Optional

import pytest
from hopeit.dataframes.plugin import config_path
from hopeit.testing.servers import HopeitServer

pytest_plugins = ["hopeit.testing.redis"]

EXAMPLE = Path(__file__).parent.parent
BASE = "/api/dataframes-example/1x0"


def write_json(path: Path, data: Dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, indent=2))
    return path


def configs(tmp_path: Path, server_file: str, streams: Optional[Dict[str, Any]] = None) -> List[Path]:
    """The example's configs, as a user passes them, with every folder under ``tmp_path``."""
    server = json.loads((EXAMPLE / "config" / server_file).read_text())
    server.pop("plugins")  # the plugin config is passed below, with its datasets under tmp_path
    server["auth"]["secrets_location"] = str(tmp_path / ".secrets")
    server["streams"] = {**server.get("streams", {}), "delay_auto_start_seconds": 0, **(streams or {})}
    plugin = json.loads(config_path().read_text())
    plugin["settings"]["dataset_serialization"]["location"] = str(tmp_path / "datasets")
    app = json.loads((EXAMPLE / "config" / "app-config.json").read_text())
    app["env"]["storage"]["base_path"] = str(tmp_path / "data")
    return [write_json(tmp_path / "server.json", server), write_json(tmp_path / "plugin.json", plugin),
            write_json(tmp_path / "app-config.json", app)]


class ExampleServer(HopeitServer):
    """``hopeit_server run --start-streams --api-auto ...`` of the example; ``api`` is its routes' base URL."""

    def __init__(self, tmp_path: Path, config_files: List[Path]) -> None:
        super().__init__("server", config_files, tmp_path,
                         args=["--start-streams", "--api-auto", "1.0;dataframes-example;tests"])
        self.api = f"{self.url}{BASE}"


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[ExampleServer]:
    started = ExampleServer(tmp_path, configs(tmp_path, "server.json")).start()
    try:
        yield started.wait_ready(timeout=90)
    finally:
        started.stop()
