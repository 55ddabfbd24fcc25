"""Management routes ask for the server's auth (issue #12, item 5).

``/mgmt/<app>/<ver>/<event>/start|stop`` used to answer anyone, even on a server whose events all
require Bearer: anyone could stop a consumer. They now take ``auth.mgmt_auth_methods`` of server
config, by default the server's ``auth.default_auth_methods``.
"""

import asyncio
import base64
import json
from pathlib import Path
from typing import Any, Dict, List

from web_support import APP, BASE, PLUGIN, SERVER_AUTH, MakeClient

MGMT = "/mgmt/web-test/1x0"


def _server_config(tmp_path: Path, **auth: Any) -> str:
    """The test server-auth config with ``auth`` keys replaced."""
    config: Dict[str, Any] = json.loads(Path(SERVER_AUTH).read_text())
    config["auth"].update(auth)
    path = tmp_path / "server-mgmt.json"
    path.write_text(json.dumps(config))
    return str(path)


async def _token(client: Any) -> str:
    basic = base64.b64encode(b"operator:pass").decode()
    resp = await client.get(f"{BASE}/login", headers={"Authorization": f"Basic {basic}"})
    assert resp.status == 200
    token: str = (await resp.json())["access_token"]
    return token


async def _consumed(client: Any, token: str, expected: List[str], timeout: float = 5.0) -> List[str]:
    """Ids consumed so far, once they are ``expected`` (or when ``timeout`` passes)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        resp = await client.get(f"{BASE}/status", headers={"Authorization": f"Bearer {token}"})
        consumed: List[str] = (await resp.json())["consumed"]
        if consumed == expected or asyncio.get_running_loop().time() > deadline:
            return consumed
        await asyncio.sleep(0.02)


async def test_stop_without_token_is_401_and_the_consumer_keeps_running(
    web_client: MakeClient, tmp_path: Path
) -> None:
    config = _server_config(tmp_path, default_auth_methods=["Bearer"])
    client = await web_client([config, PLUGIN, APP], start_streams=True)
    for headers in ({}, {"Authorization": "Bearer not.a.token"}, {"Authorization": "Basic b3BlcmF0b3I6cGFzcw=="}):
        resp = await client.get(f"{MGMT}/consume/stop", headers=headers)
        assert resp.status == 401, headers
        assert json.loads(await resp.text())["tb"] == []
    assert (await client.get(f"{MGMT}/service/stop")).status == 401
    assert (await client.get(f"{MGMT}/consume/start")).status == 401

    token = await _token(client)
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await client.post(f"{BASE}/produce", json={"id": "a", "count": 1}, headers=bearer)).status == 200
    assert await _consumed(client, token, ["a:"]) == ["a:"]  # still consuming after the refused stops

    resp = await client.get(f"{MGMT}/consume/stop", headers=bearer)
    assert resp.status == 200
    resp = await client.get(f"{MGMT}/consume/stop", headers=bearer)
    assert resp.status == 409  # stopping: a second stop does not cancel the batch in hand
    resp = await client.get(f"{MGMT}/consume/start", headers=bearer)
    assert resp.status == 200  # waits for the stopped loop to finish its batch, then starts it again
    assert (await client.post(f"{BASE}/produce", json={"id": "b", "count": 1}, headers=bearer)).status == 200
    assert await _consumed(client, token, ["a:", "b:"]) == ["a:", "b:"]
    assert (await client.get(f"{MGMT}/service/stop", headers=bearer)).status == 200


async def test_refresh_token_does_not_open_mgmt_routes(web_client: MakeClient, tmp_path: Path) -> None:
    config = _server_config(tmp_path, default_auth_methods=["Bearer"])
    client = await web_client([config, PLUGIN, APP], start_streams=True)
    basic = base64.b64encode(b"operator:pass").decode()
    tokens = await (await client.get(f"{BASE}/login", headers={"Authorization": f"Basic {basic}"})).json()
    resp = await client.get(f"{MGMT}/consume/stop", headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
    assert resp.status == 401


async def test_mgmt_auth_methods_protect_mgmt_routes_of_an_open_server(web_client: MakeClient, tmp_path: Path) -> None:
    config = _server_config(tmp_path, default_auth_methods=["Unsecured"], mgmt_auth_methods=["Bearer"])
    client = await web_client([config, PLUGIN, APP])
    assert (await client.get(f"{BASE}/pid")).status == 200  # events stay open
    resp = await client.get(f"{MGMT}/consume/start")
    assert resp.status == 401
    assert json.loads(await resp.text()) == {"msg": "Credentials required: this endpoint accepts Bearer", "tb": []}
    token = await _token(client)
    assert (await client.get(f"{MGMT}/consume/start", headers={"Authorization": f"Bearer {token}"})).status == 200


async def test_mgmt_auth_methods_can_open_mgmt_routes_explicitly(web_client: MakeClient, tmp_path: Path) -> None:
    config = _server_config(tmp_path, default_auth_methods=["Bearer"], mgmt_auth_methods=["Unsecured"])
    client = await web_client([config, PLUGIN, APP])
    assert (await client.get(f"{BASE}/pid")).status == 401
    assert (await client.get(f"{MGMT}/consume/start")).status == 200
