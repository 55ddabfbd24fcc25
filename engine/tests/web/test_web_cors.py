"""CORS on the routes of apps that set ``engine.cors_origin``."""

from web_support import BASE, MakeClient

ORIGIN = "http://allowed.example"


async def test_preflight_and_simple_requests_from_allowed_origin(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.options(f"{BASE}/post-item", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type, X-Track-Session-Id",
    })
    assert resp.status == 200
    assert resp.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert resp.headers["Access-Control-Allow-Credentials"] == "true"
    assert "POST" in resp.headers["Access-Control-Allow-Methods"]
    assert "X-TRACK-SESSION-ID" in resp.headers["Access-Control-Allow-Headers"].upper()

    resp = await client.get(f"{BASE}/pid", headers={"Origin": ORIGIN})
    assert resp.status == 200
    assert resp.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "X-Track-Request-Id" in resp.headers["Access-Control-Expose-Headers"]


async def test_other_origins_get_no_cors_headers(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.get(f"{BASE}/pid", headers={"Origin": "http://other.example"})
    assert resp.status == 200
    assert "Access-Control-Allow-Origin" not in resp.headers
    resp = await client.options(f"{BASE}/pid", headers={"Origin": "http://other.example",
                                                       "Access-Control-Request-Method": "GET"})
    assert resp.status == 403


async def test_apps_without_cors_origin_get_no_cors_headers(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.get("/api/web-test-plugin/1x0/plugin-own", headers={"Origin": ORIGIN})
    assert resp.status == 200
    assert "Access-Control-Allow-Origin" not in resp.headers
