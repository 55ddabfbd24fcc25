"""OpenAPI: operations from ``event_api``, schemas in OpenAPI 3.0 form, --api-auto, --api-file, validation."""

import json
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from hopeit.app.api import APIError, event_api, openapi3_schema
from hopeit.server.config_files import load_config_files
from hopeit.web import openapi as api
from hopeit.web.swagger import validate_spec
from web_support import APP, BASE, PLUGIN, SERVER, SERVER_AUTH, MakeClient

SESSION = {"X-Track-Session-Id": "s1"}


def _spec(server: str = SERVER) -> Dict[str, Any]:
    api.clear()
    api.init_empty_spec("1.0", "Test", "Test API")
    server_config, apps = load_config_files([server, PLUGIN, APP])
    api.register_server_config(server_config)
    api.register_apps(apps)
    assert api.spec is not None
    return api.spec


def test_openapi3_schema_conversions() -> None:
    schema = {
        "type": "object",
        "properties": {
            "title": {"title": "Title", "type": "string"},
            "maybe": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None, "title": "Maybe"},
            "ref": {"anyOf": [{"$ref": "#/components/schemas/X"}, {"type": "null"}]},
            "enum_default": {"$ref": "#/components/schemas/E", "default": "a"},
            "const": {"const": "a", "type": "string"},
            "positive": {"type": "integer", "exclusiveMinimum": 0},
            "pair": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}]},
            "either": {"anyOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]},
        },
    }
    assert openapi3_schema(schema)["properties"] == {
        "title": {"type": "string"},
        "maybe": {"type": "integer", "nullable": True, "default": None},
        "ref": {"allOf": [{"$ref": "#/components/schemas/X"}], "nullable": True},
        "enum_default": {"allOf": [{"$ref": "#/components/schemas/E"}], "default": "a"},
        "const": {"type": "string", "enum": ["a"]},
        "positive": {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
        "pair": {"type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "string"}]}},
        "either": {"anyOf": [{"type": "integer"}, {"type": "string"}], "nullable": True},
    }


def test_event_api_operations() -> None:
    spec = _spec()
    get_item = spec["paths"][f"{BASE}/get-item"]["get"]
    assert get_item["summary"] == "Get item"
    assert get_item["description"] == "Returns an item built from typed query args."
    assert get_item["tags"] == ["web_test.1x0"]
    params = {p["name"]: p for p in get_item["parameters"]}
    assert params["item_id"] == {"name": "item_id", "in": "query", "required": True, "description": "Item id",
                                 "schema": {"type": "string"}}
    assert params["count"]["schema"] == {"type": "integer"}
    assert params["color"]["required"] is False
    # as in 0.24, enums and lists are documented as strings: values are checked when converted
    assert params["color"]["schema"] == {"type": "string"}
    assert params["day"]["schema"] == {"type": "string", "format": "date"}
    assert params["tags"]["schema"] == {"type": "string"}
    assert params["X-Track-Session-Id"] == {"name": "X-Track-Session-Id", "in": "header", "required": True,
                                            "description": "Track information: track.session_id",
                                            "schema": {"type": "string", "default": "test.session_id"}}
    assert params["X-Track-Request-Id"] == {"name": "X-Track-Request-Id", "in": "header", "required": False,
                                            "description": "Track information: Request-Id",
                                            "schema": {"type": "string"}}
    assert get_item["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Item"}

    post_item = spec["paths"][f"{BASE}/post-item"]["post"]
    assert post_item["requestBody"] == {"description": "Item to store", "required": True, "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}
    atomic = spec["paths"][f"{BASE}/post-atomic"]["post"]
    assert atomic["requestBody"]["content"]["application/json"]["schema"]["required"] == ["value"]
    assert atomic["responses"]["200"]["content"]["application/json"]["schema"]["properties"] == {
        "post_atomic": {"type": "integer"}}

    upload = spec["paths"][f"{BASE}/upload"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert upload["schema"]["properties"]["file"] == {"type": "string", "format": "binary", "description": "A file"}
    assert upload["encoding"] == {"name": {"contentType": "text/plain"},
                                  "file": {"contentType": "application/octet-stream"}}

    schemas = spec["components"]["schemas"]
    assert set(schemas) >= {"Item", "Nested", "Part", "UploadResult"}
    assert "Color" not in schemas  # enums are written inline, as in 0.24
    assert "ErrorInfo" not in schemas  # not used by any operation: removed
    # as in 0.24: Optional[X] is X, a None default is not written
    assert schemas["Item"]["properties"]["note"] == {"type": "string"}
    assert schemas["Nested"]["properties"]["owner"] == {"$ref": "#/components/schemas/Item"}
    assert schemas["Item"]["description"] == "An item."
    assert schemas["Item"]["x-module-name"] == "web_test_app"
    assert spec["security"] == []
    assert validate_spec(spec) == []


def test_event_api_payload_and_fields_together_fail() -> None:
    with pytest.raises(APIError, match="either payload or fields"):
        event_api(payload=str, fields=[("a", str)])


def test_security_per_auth_method() -> None:
    spec = _spec(SERVER_AUTH)
    paths = spec["paths"]
    # events without an __api__ are not documented unless generated
    assert f"{BASE}/whoami-bearer" not in paths
    api.clear()
    api.init_empty_spec("1.0", "Test", "Test API")
    api.setup(generate_mode=True)
    server_config, apps = load_config_files([SERVER_AUTH, PLUGIN, APP])
    api.register_server_config(server_config)
    api.register_apps(apps)
    assert api.spec is not None
    paths = api.spec["paths"]
    assert paths[f"{BASE}/whoami-bearer"]["get"]["security"] == [{"auth.bearer": []}]
    assert paths[f"{BASE}/whoami-basic"]["get"]["security"] == [{"auth.basic": []}]
    assert paths[f"{BASE}/whoami-refresh"]["get"]["security"] == [{"web_test.1x0.refresh": []}]
    # as in 0.24, Unsecured is not written (request validation still lets requests without credentials in)
    assert paths[f"{BASE}/whoami-optional"]["get"]["security"] == [{"auth.bearer": []}]
    assert "security" not in paths[f"{BASE}/whoami"]["get"]
    assert paths[f"{BASE}/whoami"]["get"]["description"] == "<<<whoami>>>"
    assert paths[f"{BASE}/web-test-plugin/1x0/plugin-event"]["get"]["tags"] == ["web_test.1x0"]
    assert api.spec["components"]["securitySchemes"]["web_test.1x0.refresh"] == {
        "type": "apiKey", "in": "cookie", "name": "web_test.1x0.refresh"}


async def test_api_auto_serves_docs_and_validates_requests(web_client: MakeClient) -> None:
    client = await web_client(api_auto=["2.0", "Auto title"])
    resp = await client.get("/api/docs/swagger.json")
    spec = await resp.json()
    assert spec["info"] == {"version": "2.0", "title": "Auto title",
                            "description": "hopeit.engine automatic OpenAPI description"}
    assert f"{BASE}/get-item" in spec["paths"]
    assert "requestBody" in spec["paths"][f"{BASE}/post-item"]["post"]
    resp = await client.get("/api/docs/")
    assert resp.status == 200
    assert "rapi-doc" in await resp.text()

    resp = await client.get(f"{BASE}/get-item", params={"item_id": "a", "count": "2"}, headers=SESSION)
    assert resp.status == 200
    resp = await client.get(f"{BASE}/get-item", params={"item_id": "a"}, headers=SESSION)
    assert resp.status == 400
    assert '{"count": "is required"}' in await resp.text()
    resp = await client.get(f"{BASE}/get-item", params={"item_id": "a", "count": "x"}, headers=SESSION)
    assert resp.status == 400
    assert "count" in await resp.text()
    resp = await client.get(f"{BASE}/get-item", params={"item_id": "a", "count": "2"})
    assert resp.status == 400
    assert '{"x-track-session-id": "is required"}' in await resp.text()
    # bodies are validated by pydantic, with field names
    resp = await client.post(f"{BASE}/post-item", json={"id": "a"}, headers=SESSION)
    assert resp.status == 400
    assert "count: Field required" in await resp.text()
    resp = await client.post(f"{BASE}/post-item", json={"id": "a", "count": 1}, headers=SESSION)
    assert resp.status == 200


async def test_documented_credentials_are_checked(web_client: MakeClient, tmp_path: Path) -> None:
    api.clear()
    api.init_empty_spec("1.0", "Test", "Test API")
    api.setup(generate_mode=True)  # placeholders document the events without __api__
    server_config, apps = load_config_files([SERVER_AUTH, PLUGIN, APP])
    api.register_server_config(server_config)
    api.register_apps(apps)
    assert api.spec is not None
    for path_item in api.spec["paths"].values():
        for operation in path_item.values():
            operation["responses"] = operation["responses"] or {"200": {"description": "ok"}}
    path = tmp_path / "openapi.json"
    api.save_api_file(path, "1.0")
    client = await web_client([SERVER_AUTH, PLUGIN, APP], api_file=str(path))
    resp = await client.get(f"{BASE}/whoami-bearer", headers=SESSION)
    assert resp.status == 401
    assert '{"authorization"' in await resp.text()
    resp = await client.get(f"{BASE}/whoami-optional", headers=SESSION)
    assert resp.status == 200
    resp = await client.get(f"{BASE}/whoami-refresh", headers=SESSION)
    assert resp.status == 401


async def test_api_file_must_match_the_apps(web_client: MakeClient, tmp_path: Path) -> None:
    _spec()
    path = tmp_path / "openapi.json"
    api.save_api_file(path, "1.0")
    client = await web_client(api_file=str(path))
    assert (await client.get(f"{BASE}/pid", headers=SESSION)).status == 200
    assert (await client.get(f"{BASE}/get-item", params={"item_id": "a"}, headers=SESSION)).status == 400

    changed = json.loads(path.read_text())
    del changed["paths"][f"{BASE}/get-item"]
    changed["paths"][f"{BASE}/post-item"]["post"]["summary"] = "edited"
    path.write_text(json.dumps(changed))
    with pytest.raises(APIError) as failure:
        await web_client(api_file=str(path))
    message = str(failure.value)
    assert f"paths.{BASE}/get-item (not in file)" in message
    assert f"paths.{BASE}/post-item.post" in message
    assert "hopeit_openapi update" in message


def test_save_api_file_needs_new_version_when_changed(tmp_path: Path) -> None:
    _spec()
    path = tmp_path / "openapi.json"
    api.save_api_file(path, "1.0")
    original = json.loads(path.read_text())
    del original["paths"][f"{BASE}/get-item"]
    path.write_text(json.dumps(original))
    api.clear()
    api.load_api_file(path)
    server_config, apps = load_config_files([SERVER, PLUGIN, APP])
    api.register_server_config(server_config)
    api.register_apps(apps)
    with pytest.raises(APIError, match="set a new version"):
        api.save_api_file(path, "1.0")
    api.save_api_file(path, "1.1")
    saved = json.loads(path.read_text())
    assert saved["info"]["version"] == "1.1"
    assert f"{BASE}/get-item" in saved["paths"]


def test_api_from_config_reads_the_loaded_spec(tmp_path: Path) -> None:
    import web_test_app.get_item as module
    from hopeit.app.api import api_from_config

    spec = _spec()
    _, apps = load_config_files([SERVER, PLUGIN, APP])
    app_config = apps[-1]
    assert api_from_config(module, app_config=app_config, event_name="get_item", plugin=None) is spec["paths"][
        f"{BASE}/get-item"]["get"]
    with pytest.raises(APIError, match="Missing path in API spec: /api/web-test/1x0/pid"):
        api_from_config(module, app_config, "pid")
    api.clear()
    with pytest.raises(APIError, match="no OpenAPI spec loaded"):
        api_from_config(module, app_config, "get_item")


def _names(params: Optional[List[Dict[str, Any]]]) -> List[str]:
    return [p["name"] for p in params or []]
