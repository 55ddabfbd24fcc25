"""Issue #12 item 1 and 5: tokens an attacker forges or misuses, and management routes without auth.

Each test attacks a real simple-example server from outside, as the issue's reporter did.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from pathlib import Path
from typing import Any, Dict, List

import aiohttp
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from harness.clients import SESSION, auth_headers, data_files, login
from harness.configs import SIMPLE_EXAMPLE, STREAM_APP, Layout, simple_example_config, stream_app_config
from harness.figures import Figures
from harness.processes import ServerFactory, ServerProcess, memory_kb

APP_KEY = "simple_example.1x0"


def attacker_key() -> rsa.RSAPrivateKey:
    """The attacker's own RSA key pair (nothing of the server's)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> bytes:
    """The public half of ``key`` as a ``_pub.pem`` file holds it."""
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def app_private_key(layout: Layout) -> Any:
    """simple-example's own signing key, read from the secrets folder as an app of the deployment could."""
    pem = (layout.secrets / ".private" / f"{APP_KEY}.pem").read_bytes()
    return serialization.load_pem_private_key(pem, password=b"simple-example-demo")


async def plant_public_key(server: ServerProcess, key: rsa.RSAPrivateKey) -> None:
    """Upload ``evil_pub.pem`` with id ``k``: the app saves it as ``uploads/k-evil_pub.pem``, no auth asked."""
    form = aiohttp.FormData()
    form.add_field("id", "k")
    form.add_field("user", "attacker")
    form.add_field("attachment", public_pem(key), filename="evil_pub.pem", content_type="application/x-pem-file")
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{server.base_url}{SIMPLE_EXAMPLE}/upload-something", data=form,
                                headers=SESSION) as resp:
            assert resp.status == 200, await resp.text()


@pytest.mark.parametrize("claim", ["relative", "absolute"])
async def test_forged_token_with_a_planted_key_is_refused(
    simple_example: ServerProcess, simple_example_layout: Layout, claim: str
) -> None:
    """A token signed with the attacker's key, whose ``app`` claim points at a key file the attacker uploaded.

    The relative claim is the issue's: ``<secrets>/public/`` + ``../../simple-example/uploads/k-evil``
    + ``_pub.pem`` is the uploaded file. The absolute one names the same file directly. Neither may
    pick a key: list-somethings and save-something (Bearer) answer 401 and nothing is saved.
    """
    key = attacker_key()
    await plant_public_key(simple_example, key)
    planted = simple_example_layout.uploads / "k-evil_pub.pem"
    assert planted.read_bytes() == public_pem(key), "the attack needs the key file planted by the upload"
    app = "../../simple-example/uploads/k-evil" if claim == "relative" else str(planted)[: -len("_pub.pem")]
    token = jwt.encode({"app": app, "user": "admin", "exp": int(time.time()) + 3600}, key, algorithm="RS256")
    item_id = f"forged-{claim}"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{simple_example.base_url}{SIMPLE_EXAMPLE}/list-somethings",
                               headers=auth_headers(token)) as resp:
            listed = resp.status, await resp.text()
        async with session.post(f"{simple_example.base_url}{SIMPLE_EXAMPLE}/save-something",
                                json={"id": item_id, "user": "admin"},
                                headers=auth_headers(token, **{"User-Agent": "attacker"})) as resp:
            saved = resp.status, await resp.text()
    assert listed[0] == 401, f"list-somethings accepted the forged token: {listed}"
    assert saved[0] == 401, f"save-something accepted the forged token: {saved}"
    assert data_files(simple_example_layout.somethings, f"{item_id}.json") == [], "the forged request saved an item"


async def test_token_without_exp_is_refused(simple_example: ServerProcess, simple_example_layout: Layout) -> None:
    """A token the app's own key signed without ``exp`` would never expire: refused; the same with ``exp`` passes."""
    key = app_private_key(simple_example_layout)
    claims: Dict[str, Any] = {"app": APP_KEY, "typ": "Bearer", "user": "demo", "iat": int(time.time())}
    forever = jwt.encode(claims, key, algorithm="RS256")
    expiring = jwt.encode({**claims, "exp": int(time.time()) + 600}, key, algorithm="RS256")
    url = f"{simple_example.base_url}{SIMPLE_EXAMPLE}/list-somethings"
    async with aiohttp.ClientSession() as session:
        async with session.get(url, headers=auth_headers(expiring)) as resp:
            assert resp.status == 200, f"control: a token with exp must pass: {await resp.text()}"
        async with session.get(url, headers=auth_headers(forever)) as resp:
            assert resp.status == 401, f"a token without exp was accepted: {resp.status} {await resp.text()}"


async def test_access_and_refresh_tokens_are_not_interchangeable(tmp_path: Path, servers: ServerFactory) -> None:
    """A refresh token sent as Bearer, or an access token sent as the refresh cookie, is refused (401).

    The tokens are the app's own, from its login: each works where it belongs (the controls), and
    must not work in the other's place.
    """
    server = servers(stream_app_config(tmp_path, redis_url=None), name="stream-app")
    credentials = base64.b64encode(b"ana:secret").decode()
    cookie = "stream_app.1x0.refresh"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{server.base_url}{STREAM_APP}/login",
                               headers={"Authorization": f"Basic {credentials}"}) as resp:
            assert resp.status == 200, await resp.text()
            tokens = await resp.json()

        async def whoami(token: str) -> int:
            async with session.get(f"{server.base_url}{STREAM_APP}/whoami",
                                   headers={"Authorization": f"Bearer {token}"}) as resp:
                return resp.status

        async def refresh(token: str) -> int:
            async with session.get(f"{server.base_url}{STREAM_APP}/refresh",
                                   headers={"Cookie": f'{cookie}="Refresh {token}"'}) as resp:
                return resp.status

        assert await whoami(tokens["access_token"]) == 200, "control: the access token works as Bearer"
        assert await refresh(tokens["refresh_token"]) == 200, "control: the refresh token works as Refresh"
        refresh_as_bearer = await whoami(tokens["refresh_token"])
        access_as_refresh = await refresh(tokens["access_token"])
    assert refresh_as_bearer == 401, f"a refresh token was accepted as an access token: {refresh_as_bearer}"
    assert access_as_refresh == 401, f"an access token was accepted as a refresh token: {access_as_refresh}"


def random_claim_token(size: int) -> str:
    """A token whose ``app`` claim is ``size`` random characters (its signature is never checked: no key)."""
    claim = base64.urlsafe_b64encode(os.urandom(size * 3 // 4)).decode()
    header = base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "typ": "JWT"}).encode()).rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps({"app": claim, "exp": int(time.time()) + 600}).encode())
    return f"{header}.{body.rstrip(b'=').decode()}.c2lnbmF0dXJl"


async def send_random_claims(server: ServerProcess, count: int, claim_size: int) -> List[int]:
    """``count`` requests to list-somethings, each with a token of a new random ``app`` claim; their statuses."""
    url = f"{server.base_url}{SIMPLE_EXAMPLE}/list-somethings"
    statuses: List[int] = []
    connector = aiohttp.TCPConnector(limit=16)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one() -> None:
            async with session.get(url, headers=auth_headers(random_claim_token(claim_size))) as resp:
                await resp.read()
                statuses.append(resp.status)

        for start in range(0, count, 200):
            await asyncio.gather(*(one() for _ in range(min(200, count - start))))
    return statuses


async def test_random_app_claims_do_not_grow_the_server(
    tmp_path: Path, servers: ServerFactory, figures: Figures
) -> None:
    """Tokens naming ever new apps must not be remembered: the second round of them adds no memory.

    The first round warms up (allocator arenas, caches of the request path); the second is
    measured. Remembering every unknown claim (the issue's bug) keeps ``count x claim_size`` bytes
    of claims per round, well over the bound.
    """
    server = servers(simple_example_config(tmp_path), name="simple-example")
    count, claim_size = 3000, 4000
    before = memory_kb(server.pid)
    statuses = await send_random_claims(server, count, claim_size)
    warmed = memory_kb(server.pid)
    statuses += await send_random_claims(server, count, claim_size)
    after = memory_kb(server.pid)
    growth_kb = after["VmRSS"] - warmed["VmRSS"]
    retained_if_cached_kb = count * claim_size // 1024
    figures.report("random app claims", requests=len(statuses), claim_bytes=claim_size,
                   rss_start_kb=before["VmRSS"], rss_after_round1_kb=warmed["VmRSS"],
                   rss_after_round2_kb=after["VmRSS"], round2_growth_kb=growth_kb,
                   would_retain_if_cached_kb=retained_if_cached_kb)
    assert set(statuses) == {401}, f"statuses: {sorted(set(statuses))}"
    assert growth_kb < retained_if_cached_kb // 3, (
        f"the server grew {growth_kb} kB over {count} unknown app claims: they are being remembered"
    )


async def test_mgmt_routes_require_the_server_default_auth(tmp_path: Path, servers: ServerFactory) -> None:
    """With Bearer as the server's default auth, stopping a consumer through /mgmt needs a token too."""
    layout = simple_example_config(tmp_path, auth={"default_auth_methods": ["Bearer"]})
    server = servers(layout, name="simple-example-bearer")
    mgmt = f"{server.base_url}/mgmt/simple-example/1x0/streams/process-events"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{mgmt}/stop") as resp:
            anonymous_stop = resp.status, await resp.text()
        async with session.get(f"{mgmt}/stop", headers={"Authorization": "Bearer not-a-token"}) as resp:
            bad_token_stop = resp.status, await resp.text()
        token = login(server)
        async with session.get(f"{mgmt}/stop", headers={"Authorization": f"Bearer {token}"}) as resp:
            operator_stop = resp.status, await resp.text()
        async with session.get(f"{mgmt}/start", headers={"Authorization": f"Bearer {token}"}) as resp:
            operator_start = resp.status, await resp.text()
    assert anonymous_stop[0] == 401, f"anyone could stop the consumer: {anonymous_stop}"
    assert bad_token_stop[0] == 401, f"an invalid token stopped the consumer: {bad_token_stop}"
    assert operator_stop[0] == 200, f"the operator's token must stop it: {operator_stop}"
    assert operator_start[0] == 200, f"the operator's token must start it again: {operator_start}"
