"""``<api.docs_path>/asyncapi.json``: the AsyncAPI document served beside the OpenAPI spec."""

from typing import Any, Dict

from asyncapi_support import check_document
from hopeit.contracts.settings import APIConfig, ServerConfig
from hopeit.server.asyncapi import HEADERS_SCHEMA
from hopeit.web.asyncapi import add_asyncapi_route, asyncapi_path
from hopeit.web.state import WebState
from web_support import MakeClient


async def _get(client: Any, path: str = "/api/docs/asyncapi.json") -> Dict[str, Any]:
    resp = await client.get(path)
    assert resp.status == 200, await resp.text()
    assert resp.content_type == "application/json"
    document: Dict[str, Any] = await resp.json()
    return document


async def test_api_auto_serves_the_asyncapi_document_of_the_streams(web_client: MakeClient) -> None:
    client = await web_client(api_auto=["2.0", "Auto title", "Auto description"])
    document = await _get(client)
    check_document(document)
    # the OpenAPI spec's info
    assert document["info"] == {"version": "2.0", "title": "Auto title", "description": "Auto description"}
    assert document["servers"]["streams"]["protocol"] == "memory"
    assert list(document["channels"]) == ["web_test.items"]
    assert document["channels"]["web_test.items"]["messages"] == {"Item": {"$ref": "#/components/messages/Item"}}
    operations = document["operations"]
    assert set(operations) == {"web_test.1x0.produce.send", "web_test.1x0.consume.receive"}
    assert operations["web_test.1x0.consume.receive"]["x-hopeit-consumer-group"] == "web_test.1x0.consume"
    assert operations["web_test.1x0.produce.send"]["x-hopeit-event-type"] == "POST"
    headers = document["components"]["schemas"][HEADERS_SCHEMA]
    assert "track.session_id" in headers["properties"]  # the app's track header
    assert await _get(client) == document  # built once, served again


async def test_api_file_serves_it_too_with_the_file_info(web_client: MakeClient, tmp_path: Any) -> None:
    from hopeit.server.config_files import load_config_files
    from hopeit.web import openapi
    from web_support import APP, PLUGIN, SERVER

    openapi.clear()
    openapi.init_empty_spec("3.1", "From file", "File description")
    server_config, apps = load_config_files([SERVER, PLUGIN, APP])
    openapi.register_server_config(server_config)
    openapi.register_apps(apps)
    spec_file = tmp_path / "openapi.json"
    openapi.save_api_file(spec_file, "3.1")
    client = await web_client(api_file=str(spec_file))
    document = await _get(client)
    assert document["info"] == {"version": "3.1", "title": "From file", "description": "File description"}


async def test_not_served_without_a_spec(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.get("/api/docs/asyncapi.json")
    assert resp.status == 404


def test_no_route_without_a_docs_path() -> None:
    assert asyncapi_path(None) is None
    assert asyncapi_path("/docs/") == "/docs/asyncapi.json"
    state = WebState(ServerConfig(api=APIConfig(docs_path=None)), [], [])
    assert add_asyncapi_route(None, state, {}) is None  # type: ignore[arg-type]
