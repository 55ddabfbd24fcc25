"""OpenAPI documents: ``hopeit_openapi create`` on legacy-app gives the same document on both engines,
``diff`` agrees, and a spec file made by either engine is served by the other with ``--api-file``."""

import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

import aiohttp
import pytest
from engines import Engine
from expectations import API_FILE_REFUSED, OPENAPI
from http_cases import ROUTE
from servers import LegacyServer, legacy_configs

CREATE = ["--api-version", "1.0", "--title", "Legacy app", "--description", "an app written for 0.24"]


def create_spec(engine: Engine, folder: Path, *apps: str) -> Dict[str, Any]:
    """``hopeit_openapi create`` of ``apps`` with ``engine``; the document it wrote."""
    folder.mkdir(parents=True, exist_ok=True)
    output = folder / "openapi.json"
    configs = ",".join(str(path) for path in legacy_configs(*apps))
    done = engine.run(["hopeit_openapi", "create", *CREATE, "--config-files", configs, "--output-file", str(output)],
                      env=compat_env(folder))
    assert done.returncode == 0, f"hopeit_openapi create failed on {engine.name}:\n{done.stdout}\n{done.stderr}"
    spec: Dict[str, Any] = json.loads(output.read_text())
    return spec


def compat_env(folder: Path) -> Dict[str, str]:
    return {"COMPAT_WORKDIR": str(folder), "COMPAT_REDIS_URL": "redis://127.0.0.1:1", "COMPAT_STREAM": "legacy.api",
            "COMPAT_COMPRESSION": "lz4", "COMPAT_SERIALIZATION": "json+base64"}


@pytest.mark.parametrize("apps", [("app-config",), ("consumer-config",), ("app-config", "consumer-config")])
def test_create_gives_the_same_document(apps: Any, oracle: Engine, engine_ours: Engine, tmp_path: Path) -> None:
    theirs = create_spec(oracle, tmp_path / "oracle", *apps)
    ours = create_spec(engine_ours, tmp_path / "ours", *apps)
    for path, difference in OPENAPI.items():
        if "app-config" not in apps:
            continue
        assert at(ours, path) == difference.ours, f"{path}: {difference.reason}"
        assert at(theirs, path) != difference.ours, f"{path}: listed as a difference but 0.24 now gives the same"
        put(theirs, path, difference.ours)
    assert ours == theirs, "hopeit_openapi create differs from 0.24:\n" + first_differences(theirs, ours)


@pytest.mark.parametrize("checker", ["oracle", "engine_ours"])
@pytest.mark.parametrize("maker", ["oracle", "engine_ours"])
def test_diff_finds_no_difference_in_either_file(maker: str, checker: str, request: pytest.FixtureRequest,
                                                 tmp_path: Path) -> None:
    made_by: Engine = request.getfixturevalue(maker)
    checked_by: Engine = request.getfixturevalue(checker)
    create_spec(made_by, tmp_path, "app-config")
    configs = ",".join(str(path) for path in legacy_configs("app-config"))
    done = checked_by.run(["hopeit_openapi", "diff", "--config-files", configs, "--input-file",
                           str(tmp_path / "openapi.json")], env=compat_env(tmp_path))
    assert done.returncode == 0, \
        f"{checked_by.name} diff of a file made by {made_by.name}:\n{done.stdout}\n{done.stderr}"


@pytest.mark.parametrize("server", ["oracle", "engine_ours"])
@pytest.mark.parametrize("maker", ["oracle", "engine_ours"])
async def test_api_file_of_either_engine_is_served(maker: str, server: str, request: pytest.FixtureRequest,
                                                  redis_url: str, tmp_path: Path) -> None:
    made_by: Engine = request.getfixturevalue(maker)
    served_by: Engine = request.getfixturevalue(server)
    create_spec(made_by, tmp_path / "spec", "app-config")
    running = LegacyServer(served_by, ["app-config"], workdir=tmp_path / "server", redis_url=redis_url,
                           stream="legacy.api-file", api_args=["--api-file", str(tmp_path / "spec" / "openapi.json")])
    refused = API_FILE_REFUSED.get((made_by.name, served_by.name))
    if refused is not None:
        with pytest.raises(RuntimeError, match="Differences found between api-file and running apps"):
            running.start()
        return
    running.start()
    track = {"X-Track-Caller": "compat-test"}
    try:
        async with aiohttp.ClientSession(headers=track) as session:
            async with session.post(f"{running.base_url}{ROUTE}/echo", json={"text": "hi", "length": 0}) as response:
                assert response.status == 200, await response.text()
            async with session.get(f"{running.base_url}{ROUTE}/greet") as response:
                assert response.status == 400, "the file's validation must be active"
                assert "name" in await response.text()
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{running.base_url}{ROUTE}/echo", json={"text": "hi", "length": 0}) as response:
                assert response.status == 400, "the file requires the track header"
    finally:
        running.stop()


def at(document: Any, path: Tuple[str, ...]) -> Any:
    """The value at ``path`` (keys from the root) of a JSON document."""
    value = document
    for key in path:
        value = value.get(key, "<missing>") if isinstance(value, dict) else "<missing>"
    return value


def put(document: Any, path: Tuple[str, ...], value: Any) -> None:
    """Set the value at ``path`` of a JSON document."""
    *parents, last = path
    for key in parents:
        document = document[key]
    document[last] = value


def first_differences(expected: Any, got: Any, path: str = "", limit: int = 20) -> str:
    """The first ``limit`` paths where two JSON documents differ, with both values."""
    found: List[str] = []

    def walk(a: Any, b: Any, where: str) -> None:
        if len(found) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b), key=str):
                walk(a.get(key, "<missing>"), b.get(key, "<missing>"), f"{where}/{key}")
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b)):
                walk(x, y, f"{where}[{i}]")
        elif a != b:
            found.append(f"  {where}:\n    0.24: {json.dumps(a)[:300]}\n    ours: {json.dumps(b)[:300]}")

    walk(expected, got, path)
    return "\n".join(found)
