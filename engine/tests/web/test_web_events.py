"""GET and POST events over HTTP: payloads, query args, hooks, responses, errors and track ids."""

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List

import pytest
from web_support import APP, BASE, PLUGIN, SERVER, MakeClient

ITEM = {"id": "i1", "count": 1, "color": "blue"}


async def test_get_query_args_converted_to_declared_types(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.get(f"{BASE}/get-item", params=[
        ("item_id", "a1"), ("count", "3"), ("color", "blue"), ("day", "2024-01-02"), ("flag", "true"),
        ("tags", "1"), ("tags", "2"),
    ])
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "application/json"
    assert await resp.json() == {"id": "a1", "count": 3, "color": "blue", "note": "date:2024-01-02 bool:True [1, 2]"}


async def test_get_query_arg_of_wrong_type_is_400(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.get(f"{BASE}/get-item", params={"item_id": "a1", "count": "three"})
    assert resp.status == 400
    body = json.loads(await resp.text())
    assert body["msg"].startswith("Invalid query arg count='three'")


async def test_get_undeclared_query_args_stay_strings(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.get(f"{BASE}/get-plain", params={"a": "1", "b": "true"})
    assert await resp.json() == {"values": {"a": "1", "b": "true"}, "types": {"a": "str", "b": "str"}}
    resp = await client.get(f"{BASE}/get-plain", params={"payload": "hello", "n": "2"})
    assert await resp.json() == {"get_plain": "ok: hello [('n', '2')]"}


async def test_post_dataobject_validated_and_echoed(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.post(f"{BASE}/post-item", json=ITEM, headers={"X-Track-Session-Id": "s-1"})
    assert resp.status == 200
    assert await resp.json() == {"id": "i1", "count": 2, "color": "blue", "note": "s-1"}


@pytest.mark.parametrize("body, problem", [
    (b'{"id": "i1", "count": ', "Invalid JSON"),
    (b'{"id": "i1"}', "count: Field required"),
    (b'{"id": "i1", "count": "many"}', "count: Input should be a valid integer"),
    (b'{"id": "i1", "count": 1, "color": "green"}', "color: Input should be 'red' or 'blue'"),
    (b"[1, 2]", "Invalid Item"),
    (b"", "Invalid JSON"),
])
async def test_post_bad_bodies_are_400_with_the_problem(web_client: MakeClient, body: bytes, problem: str) -> None:
    client = await web_client()
    resp = await client.post(f"{BASE}/post-item", data=body, headers={"Content-Type": "application/json"})
    assert resp.status == 400
    info = json.loads(await resp.text())
    assert problem in info["msg"]
    assert info["tb"] == [f"hopeit.app.errors.BadRequest: {info['msg']}\n"]  # no trace


async def test_post_nested_over_event_limit_is_413(web_client: MakeClient) -> None:
    client = await web_client()
    parts = [{"name": "p" * 100, "weight": 1.5, "tags": ["t"] * 10}] * 2
    nested: Dict[str, Any] = {"id": "n", "created": datetime.now(tz=timezone.utc).isoformat(), "parts": parts}
    resp = await client.post(f"{BASE}/post-nested", json=nested)
    assert resp.status == 200
    assert (await resp.json())["parts"][1]["name"] == "p" * 100
    nested["parts"] = parts * 20
    resp = await client.post(f"{BASE}/post-nested", json=nested)
    assert resp.status == 413
    assert json.loads(await resp.text())["msg"] == "Request body too large: the limit is 4096 bytes"

    async def chunks() -> Any:  # no Content-Length: the limit applies while reading
        for _ in range(10):
            yield b" " * 1000

    resp = await client.post(f"{BASE}/post-nested", data=chunks(), headers={"Content-Type": "application/json"})
    assert resp.status == 413


async def test_post_atomic_reads_value_and_answers_under_event_name(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.post(f"{BASE}/post-atomic", json={"value": 21})
    assert await resp.json() == {"post_atomic": 42}
    resp = await client.post(f"{BASE}/post-atomic", json={"other": 21})
    assert resp.status == 400
    assert "value: Field required" in json.loads(await resp.text())["msg"]


async def test_preprocess_gets_raw_body_and_headers_and_can_set_status(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.post(f"{BASE}/post-raw", data=b"some text", headers={"X-Custom": "h"})
    assert await resp.json() == {"post_raw": "11:some text|h"}
    resp = await client.post(f"{BASE}/post-raw", data=b"reject")
    assert resp.status == 422
    assert await resp.json() == {"post_raw": "rejected by preprocess"}


async def test_postprocess_sets_headers_cookies_status_and_text(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.get(f"{BASE}/with-hooks", params={"status": "201"})
    assert resp.status == 201
    assert resp.headers["X-Custom"] == "custom-value"
    assert resp.headers["Content-Type"].startswith("text/plain")
    assert await resp.text() == "HELLO 201"
    cookies = resp.headers.getall("Set-Cookie")
    assert any(c.startswith("session=abc") for c in cookies)
    assert any(c.startswith('old=""') for c in cookies)


async def test_track_headers_become_track_ids_and_are_echoed(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.get(f"{BASE}/pid", headers={"X-Track-Session-Id": "sess", "X-Track-Request-Id": "req-1",
                                                    "X-Track-Not-Configured": "dropped"})
    assert resp.headers["X-Track-Session-Id"] == "sess"
    assert resp.headers["X-Track-Request-Id"] == "req-1"
    assert resp.headers["X-Event-App"] == "web_test.1x0"
    assert len(resp.headers["X-Track-Operation-Id"]) == 36
    datetime.fromisoformat(resp.headers["X-Track-Request-Ts"])
    assert "X-Track-Not-Configured" not in resp.headers
    assert resp.headers["Server"] == ""


async def test_custom_route_serves_get_and_post(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.get("/api/web-test/custom/things")
    assert await resp.json() == {"custom_route": "custom_route:-"}
    resp = await client.post("/api/web-test/custom/things", json=ITEM)
    assert await resp.json() == {"custom_route_post": "custom_route_post:i1"}


@pytest.mark.parametrize("kind, status, msg, tb", [
    ("bad_request", 400, "Wrong thing asked", ["hopeit.app.errors.BadRequest: Wrong thing asked\n"]),
    ("unauthorized", 401, "Not you", ["hopeit.app.errors.Unauthorized: Not you\n"]),
    ("error", 500, "Internal server error", []),
    ("stream_error", 503, "Stream backend unavailable: try again later", []),
    ("http_forbidden", 403, "Not for you", []),  # aiohttp's HTTP errors raised by a step keep their status
    ("http_unavailable", 503, "Down for maintenance", []),  # their text is meant for the client (0.24: 500)
])
async def test_errors_answer_error_info_without_traceback_or_secrets(
    web_client: MakeClient, kind: str, status: int, msg: str, tb: List[str]
) -> None:
    client = await web_client()
    resp = await client.get(f"{BASE}/fail", params={"kind": kind})
    assert resp.status == status
    body = await resp.text()
    assert json.loads(body) == {"msg": msg, "tb": tb}
    assert "s3cret" not in body
    assert resp.headers["X-Event-App"] == "web_test.1x0"


async def test_errors_traceback_when_server_config_asks(web_client: MakeClient, tmp_path: Any) -> None:
    server = json.loads(Path(SERVER).read_text())
    server["errors_traceback"] = True
    path = tmp_path / "server.json"
    path.write_text(json.dumps(server))
    client = await web_client([str(path), PLUGIN, APP])
    resp = await client.get(f"{BASE}/fail")
    info = json.loads(await resp.text())
    assert resp.status == 500
    assert info["msg"] == "Test for error password=s3cret"
    assert info["tb"][0].startswith("Traceback")
    assert info["tb"][-1] == "AssertionError: Test for error password=s3cret\n"


async def test_none_result_is_json_null(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.get(f"{BASE}/fail", params={"kind": "none"})
    assert resp.status == 200
    assert await resp.json() is None


async def test_response_timeout_is_500_with_message(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.get(f"{BASE}/slow", params={"seconds": "0.01"})
    assert await resp.json() == {"slow": "slept 0.01"}
    resp = await client.get(f"{BASE}/slow", params={"seconds": "5"})
    assert resp.status == 500
    assert json.loads(await resp.text())["msg"] == "Response timeout exceeded seconds=2.0"


async def test_unknown_route_and_method_are_404_and_405(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.get("/api/nothing/here")
    assert resp.status == 404
    assert await resp.text() == "404: Not Found"
    resp = await client.post(f"{BASE}/pid", json={})
    assert resp.status == 405
    assert "GET" in resp.headers["Allow"].split(",") and "POST" not in resp.headers["Allow"]
    assert await resp.text() == "405: Method Not Allowed"
    for method in ("GET", "POST", "DELETE"):
        resp = await client.request(method, "/")
        assert resp.status == 404
        assert await resp.text() == "404: Not Found"


async def test_plugin_events_on_app_and_standalone_and_setup(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.get(f"{BASE}/web-test-plugin/1x0/plugin-event")
    assert await resp.json() == {"plugin_event": "web_test.1x0|web_test_plugin.1x0|plugin_event|web_test_plugin.1x0"}
    assert resp.headers["X-Event-Plugin"] == "web_test_plugin.1x0"
    resp = await client.get("/api/web-test-plugin/1x0/plugin-own")
    assert await resp.json() == {"plugin_own": "own:web_test_plugin.1x0"}
    resp = await client.get("/api/web-test-plugin/1x0/plugin-event")
    assert resp.status == 404  # OnApp events are served on the apps only
    status = await (await client.get(f"{BASE}/status")).json()
    assert status["setup_runs"] == 1
    assert status["plugin_setup_hosts"] == ["web_test.1x0"]


async def test_plugin_named_in_server_config_is_loaded(web_client: MakeClient, tmp_path: Any) -> None:
    from hopeit.contracts.discovery import PluginNotFound

    server = json.loads(Path(SERVER).read_text())
    server["plugins"] = ["not-installed-plugin"]
    path = tmp_path / "server.json"
    path.write_text(json.dumps(server))
    with pytest.raises(PluginNotFound, match="plugin 'not-installed-plugin' is not installed"):
        await web_client([str(path), APP])


async def test_plugin_named_by_path_in_server_config_serves_on_app_events(
    web_client: MakeClient, tmp_path: Any
) -> None:
    server = json.loads(Path(SERVER).read_text())
    server["plugins"] = ["web_test_plugin.CONFIG_PATH"]
    path = tmp_path / "server.json"
    path.write_text(json.dumps(server))
    client = await web_client([str(path), PLUGIN, APP])  # also given as a file: loaded once
    resp = await client.get(f"{BASE}/web-test-plugin/1x0/plugin-event")
    assert resp.status == 200
    client = await web_client([str(path), APP])
    resp = await client.get(f"{BASE}/web-test-plugin/1x0/plugin-event")
    assert resp.status == 200
    assert (await client.get("/api/web-test-plugin/1x0/plugin-own")).status == 200


async def test_enabled_groups_limit_routes(web_client: MakeClient) -> None:
    client = await web_client(enabled_groups=["other"])
    assert (await client.get(f"{BASE}/extra-group")).status == 404
    assert (await client.get(f"{BASE}/pid")).status == 200
    client = await web_client(enabled_groups=["extra"])
    assert (await client.get(f"{BASE}/extra-group")).status == 200
