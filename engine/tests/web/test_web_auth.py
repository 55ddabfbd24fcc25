"""App keys, tokens and the auth methods of events: Unsecured, Basic, Bearer, Refresh."""

import base64
import json
import re
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict

import pytest
from hopeit.app.config import AppConfig, AppDescriptor, EventDescriptor, EventSettings, EventType
from hopeit.app.context import EventContext
from hopeit.server.config import AuthConfig, AuthType

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # cryptography's Python 3.8 deprecation warning, on import
    import jwt
    from hopeit.toolkit import auth
from web_support import APP, BASE, PLUGIN, SERVER_AUTH, MakeClient

APP_KEY = "web_test.1x0"


def _auth_config(secrets: Path, **kwargs: Any) -> AuthConfig:
    return AuthConfig(secrets_location=str(secrets), auth_passphrase="pass", create_keys=True, **kwargs)


def _in(seconds: int) -> datetime:
    return datetime.now(tz=timezone.utc) + timedelta(seconds=seconds)


def _context() -> EventContext:
    app_config = AppConfig(app=AppDescriptor(name="web-test", version="1.0"),
                           events={"e": EventDescriptor(type=EventType.GET)})
    return EventContext(app_config=app_config, plugin_config=app_config, event_name="e",
                        settings=EventSettings(), track_ids={}, auth_info={})


def test_init_creates_keys_and_tokens_round_trip(tmp_path: Path) -> None:
    auth.init(APP_KEY, _auth_config(tmp_path))
    private = tmp_path / ".private" / f"{APP_KEY}.pem"
    public = tmp_path / "public" / f"{APP_KEY}_pub.pem"
    assert private.read_bytes().startswith(b"-----BEGIN RSA PRIVATE KEY-----")
    assert b"ENCRYPTED" in private.read_bytes()
    assert public.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    exp = _in(60)
    token = auth.new_token(APP_KEY, {"user": "u1", "exp": exp})
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    assert auth.decode_token(token) == {"user": "u1", "exp": int(exp.timestamp()), "app": APP_KEY, "typ": "Bearer"}
    auth.init(APP_KEY, _auth_config(tmp_path))  # existing keys are loaded, not replaced
    assert auth.decode_token(token)["user"] == "u1"


def test_missing_keys_without_create_keys_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=re.escape('"create_keys": true')):
        auth.init("other.1x0", AuthConfig(secrets_location=str(tmp_path), auth_passphrase="pass"))


def test_wrong_passphrase_is_reported(tmp_path: Path) -> None:
    auth.init(APP_KEY, _auth_config(tmp_path))
    with pytest.raises(ValueError, match=r"check auth\.auth_passphrase"):
        auth.init(APP_KEY, AuthConfig(secrets_location=str(tmp_path), auth_passphrase="wrong"))


def test_tampered_expired_and_foreign_tokens_are_rejected(tmp_path: Path) -> None:
    auth.init(APP_KEY, _auth_config(tmp_path / "ours"))
    context = _context()
    good = auth.new_token(APP_KEY, {"user": "u1", "exp": _in(60)})
    valid = auth.validate_token(good, context)
    assert valid is not None and (valid["user"], valid["app"], valid["typ"]) == ("u1", APP_KEY, "Bearer")

    header, _, signature = good.split(".")
    forged = f'{{"user":"admin","app":"web_test.1x0","typ":"Bearer","exp":{int(_in(60).timestamp())}}}'
    claims = base64.urlsafe_b64encode(forged.encode()).rstrip(b"=").decode()
    assert auth.validate_token(f"{header}.{claims}.{signature}", context) is None

    expired = auth.new_token(APP_KEY, {"user": "u1", "exp": datetime.now(tz=timezone.utc) - timedelta(seconds=5)})
    assert auth.validate_token(expired, context) is None
    with pytest.raises(jwt.ExpiredSignatureError):
        auth.decode_token(expired)

    auth.init(APP_KEY, _auth_config(tmp_path / "theirs"))  # another deployment's keys, same app name
    foreign = auth.new_token(APP_KEY, {"user": "u1", "exp": _in(60)})
    auth.init(APP_KEY, _auth_config(tmp_path / "ours"))
    assert auth.validate_token(foreign, context) is None
    unknown_app = jwt.encode({"app": "unknown.1x0", "exp": _in(60)}, auth.app_private_key(APP_KEY), algorithm="RS256")
    assert auth.validate_token(unknown_app, context) is None
    assert auth.validate_token("not a token", context) is None


def test_validate_auth_method_fills_auth_info(tmp_path: Path) -> None:
    auth.init(APP_KEY, _auth_config(tmp_path))
    context = _context()
    auth.validate_auth_method(AuthType.BASIC, "dXNlcjpwYXNz", context)
    assert context.auth_info == {"auth_type": AuthType.BASIC, "allowed": True, "payload": "dXNlcjpwYXNz"}
    context = _context()
    auth.validate_auth_method(AuthType.BEARER, "bad", context)
    assert context.auth_info == {"refused": "malformed token"}  # the reason, for the 401 answer


def test_disabled_auth_clears_keys(tmp_path: Path) -> None:
    auth.init(APP_KEY, _auth_config(tmp_path))
    auth.init(APP_KEY, AuthConfig.no_auth())
    with pytest.raises(auth.PrivateKeyNotFoundError):
        auth.new_token(APP_KEY, {"exp": _in(60)})


async def _login(client: Any, ttl: str = "60") -> Dict[str, str]:
    basic = base64.b64encode(b"user:pass").decode()
    resp = await client.get(f"{BASE}/login", params={"ttl": ttl}, headers={"Authorization": f"Basic {basic}"})
    assert resp.status == 200
    tokens: Dict[str, str] = await resp.json()
    return tokens


async def test_unsecured_event_gets_domain_and_no_credentials(web_client: MakeClient) -> None:
    client = await web_client([SERVER_AUTH, PLUGIN, APP])
    resp = await client.get(f"{BASE}/whoami", headers={"Authorization": "Bearer whatever"})
    assert await resp.json() == {"auth_type": "Unsecured", "allowed": True, "payload": None, "domain": "test.example"}


async def test_basic_login_bearer_and_refresh(web_client: MakeClient) -> None:
    client = await web_client([SERVER_AUTH, PLUGIN, APP])
    tokens = await _login(client)
    resp = await client.get(f"{BASE}/whoami-bearer", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    info = await resp.json()
    assert resp.status == 200
    assert info["auth_type"] == "Bearer"
    assert info["payload"]["user"] == base64.b64encode(b"user:pass").decode()
    assert info["payload"]["app"] == APP_KEY
    # the login response set the refresh cookie, which the client sends back
    resp = await client.get(f"{BASE}/whoami-refresh")
    assert resp.status == 200
    assert (await resp.json())["payload"]["refresh"] is True


MALFORMED = "Malformed Authorization: expected '<scheme> <credentials>', as 'Bearer <token>'"


@pytest.mark.parametrize("headers, status, msg", [
    ({}, 401, "Credentials required: this endpoint accepts Bearer"),
    ({"Authorization": "Bearer"}, 400, MALFORMED),
    ({"Authorization": "Bearer a b"}, 400, MALFORMED),
    ({"Authorization": "Bearer not.a.token"}, 401, "Bearer credentials refused: malformed token"),
    ({"Authorization": "Basic dXNlcjpwYXNz"}, 401, "Basic credentials are not accepted here: send Bearer"),
])
async def test_bearer_failures(web_client: MakeClient, headers: Dict[str, str], status: int, msg: str) -> None:
    client = await web_client([SERVER_AUTH, PLUGIN, APP])
    resp = await client.get(f"{BASE}/whoami-bearer", headers=headers)
    assert resp.status == status
    error = "Unauthorized" if status == 401 else "BadRequest"
    assert json.loads(await resp.text()) == {"msg": msg, "tb": [f"hopeit.app.errors.{error}: {msg}\n"]}


async def test_expired_and_tampered_tokens_are_401(web_client: MakeClient) -> None:
    client = await web_client([SERVER_AUTH, PLUGIN, APP])
    expired = (await _login(client, ttl="-10"))["access_token"]
    resp = await client.get(f"{BASE}/whoami-bearer", headers={"Authorization": f"Bearer {expired}"})
    assert resp.status == 401
    assert json.loads(await resp.text())["msg"] == "Bearer credentials refused: token expired"
    good = (await _login(client))["access_token"]
    tampered = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    resp = await client.get(f"{BASE}/whoami-bearer", headers={"Authorization": f"Bearer {tampered}"})
    assert resp.status == 401
    assert json.loads(await resp.text())["msg"] == "Bearer credentials refused: bad signature"
    refresh = (await _login(client))["refresh_token"]
    resp = await client.get(f"{BASE}/whoami-bearer", headers={"Authorization": f"Bearer {refresh}"})
    assert resp.status == 401
    assert json.loads(await resp.text())["msg"] == "Bearer credentials refused: not a Bearer token"


async def test_basic_without_credentials_and_refresh_without_cookie(web_client: MakeClient) -> None:
    client = await web_client([SERVER_AUTH, PLUGIN, APP])
    resp = await client.get(f"{BASE}/whoami-basic")
    assert resp.status == 401
    assert json.loads(await resp.text())["msg"] == "Credentials required: this endpoint accepts Basic"
    resp = await client.get(f"{BASE}/whoami-refresh")
    assert resp.status == 401
    resp = await client.get(f"{BASE}/whoami-basic", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert (await resp.json())["payload"] == "dXNlcjpwYXNz"


async def test_optional_bearer_accepts_no_credentials(web_client: MakeClient) -> None:
    client = await web_client([SERVER_AUTH, PLUGIN, APP])
    resp = await client.get(f"{BASE}/whoami-optional")
    assert (await resp.json())["auth_type"] == "Unsecured"
    token = (await _login(client))["access_token"]
    resp = await client.get(f"{BASE}/whoami-optional", headers={"Authorization": f"Bearer {token}"})
    assert (await resp.json())["auth_type"] == "Bearer"
    resp = await client.get(f"{BASE}/whoami-optional", headers={"Authorization": "Bearer bad"})
    assert resp.status == 401


async def test_bearer_event_on_server_without_auth_is_401(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.get(f"{BASE}/whoami-bearer", headers={"Authorization": "Bearer x.y.z"})
    assert resp.status == 401
