"""The two routes are documented in the OpenAPI spec ``hopeit_openapi create`` builds from the configs."""

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

from hopeit.config_manager.plugin import config_path
from hopeit.contracts.version import APPS_ROUTE_VERSION
from servers import CONFIG

BASE = f"/api/config-manager/{APPS_ROUTE_VERSION}"


def openapi_command() -> List[str]:
    script = shutil.which("hopeit_openapi", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "hopeit.cli.openapi"]


def create_spec(tmp_path: Path) -> Dict[str, Any]:
    output = tmp_path / "openapi.json"
    subprocess.run(
        [*openapi_command(), "create", "--api-version", "1.0", "--title", "t", "--description", "d",
         "--config-files", f"{CONFIG / 'server-plain.json'},{config_path()}", "--output-file", str(output)],
        check=True, capture_output=True,
    )
    spec: Dict[str, Any] = json.loads(output.read_text())
    return spec


def query_args(operation: Dict[str, Any]) -> Dict[str, Any]:
    return {p["name"]: (p["required"], p["schema"]) for p in operation["parameters"] if p["in"] == "query"}


def test_routes_query_args_and_response_schema(tmp_path: Path) -> None:
    spec = create_spec(tmp_path)
    runtime = spec["paths"][f"{BASE}/runtime-apps-config"]["get"]
    cluster = spec["paths"][f"{BASE}/cluster-apps-config"]["get"]
    assert query_args(runtime) == {"url": (False, {"type": "string"}), "expand_events": (False, {"type": "boolean"})}
    assert query_args(cluster) == {"hosts": (True, {"type": "string"}), "expand_events": (False, {"type": "boolean"})}
    for operation in (runtime, cluster):
        assert operation["summary"].startswith("config-manager: ")
        assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/RuntimeApps"
        }
        assert operation["tags"] == [f"config_manager.{APPS_ROUTE_VERSION}"]
    schemas = spec["components"]["schemas"]
    assert schemas["RuntimeApps"]["required"] == ["apps"]
    assert schemas["RuntimeApps"]["properties"]["server_status"]["additionalProperties"]["enum"] == ["ALIVE", "ERROR"]
    assert schemas["RuntimeAppInfo"]["properties"]["app_config"] == {"$ref": "#/components/schemas/AppConfig"}
    assert schemas["RuntimeAppInfo"]["properties"]["effective_events"]["additionalProperties"] == {
        "$ref": "#/components/schemas/EventDescriptor"
    }
    assert schemas["ServerInfo"]["properties"]["url"] == {"type": "string", "default": "in-process"}
