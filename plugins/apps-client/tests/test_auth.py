from pathlib import Path
from typing import Any, Iterator, List

import jwt
import pytest
from aiohttp import web
from conftest import FakeHost, caller_config
from hopeit.app.client import app_call, app_client
from hopeit.app.config import AppConfig
from hopeit.apps_client import AppsClient, AppsClientConfigError, AppsClientException
from hopeit.server.config import AuthConfig, AuthType
from hopeit.toolkit import auth
from test_client import context_of, settings

CALLER_KEY = "caller_app.1x0"


@pytest.fixture
def caller_keys(tmp_path: Path) -> Iterator[Path]:
    auth.init(CALLER_KEY, AuthConfig(secrets_location=str(tmp_path), auth_passphrase="test", create_keys=True))
    yield tmp_path
    auth.init(CALLER_KEY, AuthConfig.no_auth())


def verify_bearer(request: web.Request) -> web.Response:
    """What a target event with ``"auth": ["Bearer"]`` does: 401 unless the token verifies."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    try:
        claims = auth.decode_token(token) if scheme == "Bearer" else None
    except (jwt.InvalidTokenError, auth.PublicKeyNotFoundError):
        claims = None
    if claims is None:
        return web.json_response({"msg": scheme or "Unsecured", "tb": []}, status=401)
    return web.json_response({"query_something": claims["app"]})


async def whoami(app_config: AppConfig, event: str = "query_something", **kwargs: Any) -> str:
    return await app_call("target_conn", event=event, datatype=str, payload=None,
                          context=context_of(app_config, **kwargs))


async def test_client_app_public_key(hosts: List[FakeHost], started: Any, caller_keys: Path) -> None:
    hosts[0].behaviour["query_something"] = verify_bearer
    app_config = await started(caller_config(settings(hosts[:1], auth_strategy="CLIENT_APP_PUBLIC_KEY")))
    assert await whoami(app_config) == CALLER_KEY
    token = hosts[0].seen[0].headers["Authorization"].split(" ")[1]
    claims = auth.decode_token(token)
    assert claims["app"] == CALLER_KEY and claims["exp"] - claims["iat"] == 60


async def test_token_is_renewed_before_it_expires(hosts: List[FakeHost], started: Any, caller_keys: Path) -> None:
    hosts[0].behaviour["query_something"] = verify_bearer
    app_config = await started(caller_config(settings(hosts[:1], auth_strategy="CLIENT_APP_PUBLIC_KEY")))
    client = app_client("target_conn", context_of(app_config))
    assert isinstance(client, AppsClient)
    first = client.auth.token
    assert first is not None and client.auth.token_expiry - jwt.decode(
        first, options={"verify_signature": False})["iat"] == 50
    await whoami(app_config)
    assert client.auth.token == first  # still fresh: reused
    client.auth.token_expiry = 0.0  # as if 50 s had passed
    await whoami(app_config)
    assert [s.headers["Authorization"] for s in hosts[0].seen] == [f"Bearer {first}", f"Bearer {client.auth.token}"]


async def test_target_rejects_a_token_it_cannot_verify(hosts: List[FakeHost], started: Any, caller_keys: Path) -> None:
    hosts[0].behaviour["query_something"] = verify_bearer
    app_config = await started(caller_config(settings(hosts[:1], auth_strategy="UNSECURED")))
    from hopeit.app.errors import Unauthorized

    with pytest.raises(Unauthorized, match="Unsecured"):
        await whoami(app_config)


async def test_public_key_strategy_needs_the_app_private_key(hosts: List[FakeHost]) -> None:
    app_config = caller_config(settings(hosts, auth_strategy="CLIENT_APP_PUBLIC_KEY"))
    client = AppsClient(app_config, "target_conn")
    with pytest.raises(AppsClientConfigError) as err:
        await client.start()
    assert str(err.value).startswith(
        "app caller_app.1x0, app connection 'target_conn': auth_strategy CLIENT_APP_PUBLIC_KEY signs calls "
        "with the private key of caller_app.1x0, which is not loaded"
    )


async def test_forward_context_basic(hosts: List[FakeHost], started: Any) -> None:
    app_config = await started(caller_config(settings(hosts[:1], auth_strategy="FORWARD_CONTEXT")))
    basic = {"auth_type": AuthType.BASIC, "allowed": True, "payload": "dXNlcjpwYXNz"}
    await whoami(app_config, "plain_text", auth_info=basic)
    assert hosts[0].seen[0].headers["Authorization"] == "Basic dXNlcjpwYXNz"


async def test_forward_context_from_stream_message(hosts: List[FakeHost], started: Any) -> None:
    # auth_info read back from a stream message holds plain strings
    app_config = await started(caller_config(settings(hosts[:1], auth_strategy="FORWARD_CONTEXT")))
    await whoami(app_config, "plain_text", auth_info={"auth_type": "Basic", "allowed": True, "payload": "abc"})
    assert hosts[0].seen[0].headers["Authorization"] == "Basic abc"


async def test_forward_context_unsecured_sends_nothing(hosts: List[FakeHost], started: Any) -> None:
    app_config = await started(caller_config(settings(hosts[:1], auth_strategy="FORWARD_CONTEXT")))
    await whoami(app_config, "plain_text")
    assert "Authorization" not in hosts[0].seen[0].headers


async def test_forward_context_cannot_forward_token_claims(hosts: List[FakeHost], started: Any) -> None:
    app_config = await started(caller_config(settings(hosts[:1], auth_strategy="FORWARD_CONTEXT")))
    with pytest.raises(AppsClientException, match="FORWARD_CONTEXT cannot forward Bearer credentials"):
        await whoami(app_config, auth_info={"auth_type": AuthType.BEARER, "allowed": True, "payload": {"app": "x"}})
    assert hosts[0].seen == []


async def test_unsecured_sends_no_authorization(hosts: List[FakeHost], started: Any) -> None:
    app_config = await started(caller_config(settings(hosts[:1], auth_strategy="UNSECURED")))
    basic = {"auth_type": AuthType.BASIC, "allowed": True, "payload": "secret"}
    await whoami(app_config, "plain_text", auth_info=basic)
    assert "Authorization" not in hosts[0].seen[0].headers
