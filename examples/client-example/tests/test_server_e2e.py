"""client-example served by hopeit_server, calling simple-example served by another hopeit_server."""

import base64
from pathlib import Path
from typing import Iterator

import aiohttp
import pytest
from conftest import client_configs
from simple_example.testing import RunningServer

APP = "/api/client-example/1x0"
BASIC = {"Authorization": "Basic " + base64.b64encode(b"demo:hopeit").decode()}


@pytest.fixture(scope="module")
def client_example(
    tmp_path_factory: pytest.TempPathFactory, secrets_path: Path, simple_example: RunningServer
) -> Iterator[RunningServer]:
    folder = tmp_path_factory.mktemp("client-example")
    server = RunningServer(client_configs(folder, secrets_path, simple_example), workdir=folder,
                           start_streams=False)
    try:
        yield server.start()
    finally:
        code = server.stop()
    assert code == 0, server.output()


async def test_count_and_save_over_http(client_example: RunningServer, simple_example: RunningServer) -> None:
    headers = {**BASIC, "X-Track-Session-Id": "e2e-client"}
    async with aiohttp.ClientSession() as session:
        url = f"{client_example.base_url}{APP}/count-and-save"
        async with session.get(url, params={"wildcard": "e2e*"}, headers=headers) as resp:
            assert resp.status == 200, await resp.text()
            result = await resp.json()
            assert resp.headers["X-Track-Session-Id"] == "e2e-client"
        assert result["count"] == 0
        assert result["save_path"].endswith("/item0.json")
        async with session.get(url, headers={"X-Track-Session-Id": "e2e-client"}) as resp:
            assert resp.status == 401
        async with session.get(f"{client_example.base_url}{APP}/query-remote", params={"item_id": "item0"},
                               headers={"X-Track-Session-Id": "e2e-client"}) as resp:
            assert resp.status == 200
            assert (await resp.json())["id"] == "item0"
        async with session.get(f"{client_example.base_url}{APP}/query-remote", params={"item_id": "missing"},
                               headers={"X-Track-Session-Id": "e2e-client"}) as resp:
            assert resp.status == 404
            assert (await resp.json()) == {"path": str(simple_example.workdir / "data" / "somethings"),
                                           "id": "missing"}
    # the track ids of the request reached simple-example with the call, plus who called
    lines = "".join(p.read_text() for p in (simple_example.workdir / "logs").glob("*save_something*.log"))
    assert "track.session_id=e2e-client" in lines
    assert "track.client_app_key=client_example.1x0" in lines
    assert "track.client_event_name=count_and_save" in lines
