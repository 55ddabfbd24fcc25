"""Forged and misused tokens against a Bearer-protected route, over HTTP (issue #12, item 1)."""

import base64
import json
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict

from web_support import APP, BASE, PLUGIN, SERVER_AUTH, MakeClient

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # cryptography's Python 3.8 deprecation warning, on import
    import jwt
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from hopeit.toolkit import auth

APP_KEY = "web_test.1x0"


def _attacker_token(planted: Path, app_claim: str) -> str:
    """A token signed with the attacker's own key, whose public half was planted at ``planted``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_bytes(key.public_key().public_bytes(
        encoding=serialization.Encoding.PEM, format=serialization.PublicFormat.SubjectPublicKeyInfo))
    exp = datetime.now(tz=timezone.utc) + timedelta(minutes=5)
    return jwt.encode({"user": "admin", "app": app_claim, "exp": exp, "typ": "Bearer"}, key, algorithm="RS256")


async def _whoami_bearer(client: Any, token: str) -> Any:
    return await client.get(f"{BASE}/whoami-bearer", headers={"Authorization": f"Bearer {token}"})


async def _login(client: Any) -> Dict[str, str]:
    basic = base64.b64encode(b"user:pass").decode()
    resp = await client.get(f"{BASE}/login", headers={"Authorization": f"Basic {basic}"})
    assert resp.status == 200
    tokens: Dict[str, str] = await resp.json()
    return tokens


async def test_claim_with_dot_dot_path_to_a_planted_key_is_401(web_client: MakeClient, tmp_path: Path) -> None:
    """The reported attack: an uploaded ``k-evil_pub.pem`` reached through ``../../`` in the claim."""
    client = await web_client([SERVER_AUTH, PLUGIN, APP])
    token = _attacker_token(tmp_path / "uploads" / "k-evil_pub.pem", "../../uploads/k-evil")
    resp = await _whoami_bearer(client, token)
    assert resp.status == 401
    # the answer says the signature is bad: nothing of which keys exist or where they are looked for
    msg = "Bearer credentials refused: bad signature"
    assert json.loads(await resp.text()) == {"msg": msg, "tb": [f"hopeit.app.errors.Unauthorized: {msg}\n"]}


async def test_claim_with_absolute_path_to_a_planted_key_is_401(web_client: MakeClient, tmp_path: Path) -> None:
    client = await web_client([SERVER_AUTH, PLUGIN, APP])
    planted = tmp_path / "uploads" / "abs_pub.pem"
    token = _attacker_token(planted, str(planted)[: -len("_pub.pem")])
    resp = await _whoami_bearer(client, token)
    assert resp.status == 401


async def test_token_without_exp_is_401(web_client: MakeClient) -> None:
    client = await web_client([SERVER_AUTH, PLUGIN, APP])
    forever = jwt.encode({"user": "u1", "app": APP_KEY, "typ": "Bearer"}, auth.app_private_key(APP_KEY),
                         algorithm="RS256")
    assert (await _whoami_bearer(client, forever)).status == 401


async def test_refresh_token_is_not_a_bearer_token(web_client: MakeClient) -> None:
    client = await web_client([SERVER_AUTH, PLUGIN, APP])
    tokens = await _login(client)
    assert (await _whoami_bearer(client, tokens["access_token"])).status == 200
    assert (await _whoami_bearer(client, tokens["refresh_token"])).status == 401


async def test_access_token_is_not_a_refresh_token(web_client: MakeClient) -> None:
    client = await web_client([SERVER_AUTH, PLUGIN, APP])
    tokens = await _login(client)  # sets the refresh cookie
    assert (await client.get(f"{BASE}/whoami-refresh")).status == 200
    client.session.cookie_jar.clear()
    cookie = f'{APP_KEY}.refresh="Refresh {tokens["access_token"]}"'
    assert (await client.get(f"{BASE}/whoami-refresh", headers={"Cookie": cookie})).status == 401
    cookie = f'{APP_KEY}.refresh="Refresh {tokens["refresh_token"]}"'
    assert (await client.get(f"{BASE}/whoami-refresh", headers={"Cookie": cookie})).status == 200
