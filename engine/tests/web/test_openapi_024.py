"""Spec files made by hopeit.engine 0.24's ``hopeit_openapi create`` work on ours, and ours match them.

``openapi_024/`` holds an app and a plugin written for 0.24, and the spec files 0.24.0 wrote for
them (``openapi-024.json`` with ``config/server.json``, ``openapi-024-bearer.json`` with
``config/server-bearer.json``), made with::

    HOPEIT_TEST_LOG_LEVEL=WARNING HOPEIT_TEST_STREAMS=x HOPEIT_TEST_SECRETS=/tmp/secrets PYTHONPATH=. \\
    hopeit_openapi create --title "Compat 0.24" --description "0.24-style app" --api-version 2.1.0 \\
        --config-files config/server.json,config/plugin.json,config/app.json --output-file openapi-024.json

``compat024_schemas-024.json`` is the ``components.schemas`` 0.24 wrote for an app whose one POST
event takes and returns ``compat024_schemas.Holder``.

Ours writes the same documents, key order included, but where 0.24 documented something wrong:
the content type of file fields (0.24: ``application/octect-stream``) and the request body of
atomic payloads (0.24: ``{"<event>": value}``; its server, like ours, reads ``{"value": value}``).
"""

import copy
import json
import sys
from pathlib import Path
from typing import Any, Dict, FrozenSet, Tuple

import pytest
from click.testing import CliRunner
from hopeit.cli.openapi import openapi
from hopeit.dataobjects.schema import schema_with_components
from hopeit.web.openapi_schemas import without_known_024_differences
from hopeit.web.swagger import validate_spec
from web_support import MakeClient

FIXTURE = Path(__file__).parent / "openapi_024"
CONFIG = FIXTURE / "config"
FILES = {"server": FIXTURE / "openapi-024.json", "server-bearer": FIXTURE / "openapi-024-bearer.json"}
BASE = "/api/compat024-app/2x1"
TRACK = {"X-Track-Session-Id": "s1", "X-Track-Caller": "c1"}
INFO = ["--api-version", "2.1.0", "--title", "Compat 0.24", "--description", "0.24-style app"]

if str(FIXTURE) not in sys.path:
    sys.path.insert(0, str(FIXTURE))


def _config_files(server: str) -> str:
    return ",".join(str(CONFIG / name) for name in (f"{server}.json", "plugin.json", "app.json"))


def _file_024(server: str = "server") -> Dict[str, Any]:
    loaded: Dict[str, Any] = json.loads(FILES[server].read_text())
    return loaded


@pytest.mark.parametrize("server", ["server", "server-bearer"])
def test_create_writes_what_024_wrote(server: str, tmp_path: Path) -> None:
    output = tmp_path / "openapi.json"
    result = CliRunner().invoke(openapi, ["create", *INFO, "--config-files", _config_files(server),
                                          "--output-file", str(output)])
    assert result.exit_code == 0, result.output
    ours = json.loads(output.read_text())
    # same document, same key order, once 0.24's known mistakes are written as we write them
    assert json.dumps(ours, indent=2) == json.dumps(without_known_024_differences(_file_024(server)), indent=2)
    assert validate_spec(ours) == []

    # the mistakes themselves, as 0.24 wrote them
    written = _file_024(server)
    upload = f"{BASE}/upload"
    encoding = written["paths"][upload]["post"]["requestBody"]["content"]["multipart/form-data"]["encoding"]
    assert encoding["attachment"] == {"contentType": "application/octect-stream"}
    assert ours["paths"][upload]["post"]["requestBody"]["content"]["multipart/form-data"]["encoding"][
        "attachment"] == {"contentType": "application/octet-stream"}
    atomic = f"{BASE}/atomic-int"
    assert written["paths"][atomic]["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "type": "object", "required": ["atomic_int"], "properties": {"atomic_int": {"type": "string"}},
        "description": "atomic_int string payload"}
    assert ours["paths"][atomic]["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "type": "object", "required": ["value"], "properties": {"value": {"type": "string"}},
        "description": "atomic_int string payload"}


def test_024_shapes_of_data_objects_and_operations() -> None:
    """A few of the things 0.24 wrote, spelled out (all of them are in the files)."""
    spec = _file_024()
    schemas = spec["components"]["schemas"]
    assert list(schemas) == ["PluginInfo", "Part", "Extras", "Thing", "ThingId", "MyObject", "Labeled", "Named",
                             "UploadInfo"]
    assert schemas["MyObject"] == {
        "type": "object", "required": ["text", "length"],
        "properties": {"text": {"type": "string"}, "length": {"type": "integer"}},
        "x-module-name": "compat024_app.model", "description": "MyObject(text: str, length: int)"}
    assert schemas["ThingId"]["description"] == (
        "Identifies a saved thing.\n\n    Second paragraph of the docstring.\n    ")
    assert schemas["Labeled"] == {
        "allOf": [{"$ref": "#/components/schemas/Named"}, {
            "type": "object", "properties": {"label": {"type": "string", "default": ""}},
            "x-module-name": "compat024_app.model"}],
        "description": "Labeled(name: str, kind: str = 'named', label: str = '')"}
    thing = schemas["Thing"]["properties"]
    assert thing["maybe_part"] == {"$ref": "#/components/schemas/Part"}
    assert thing["note"] == {"type": "string"}
    assert thing["default_part"] == {"$ref": "#/components/schemas/Part", "default": {"name": "p", "qty": 2}}
    assert "note" not in schemas["Thing"]["required"]
    query = spec["paths"][f"{BASE}/query-thing"]["get"]
    params = {p["name"]: p for p in query["parameters"]}
    assert params["X-Track-Request-Id"]["description"] == "Track information: Request-Id"
    assert params["X-Track-Caller"] == {"name": "X-Track-Caller", "in": "header", "required": True,
                                        "description": "Track information: track.caller",
                                        "schema": {"type": "string", "default": "test.caller"}}
    assert params["color"]["schema"] == {"type": "string"} and params["ids"]["schema"] == {"type": "string"}
    assert "security" not in query
    assert spec["paths"][f"{BASE}/whoami-optional"]["get"]["security"] == [{"auth.bearer": []}]
    assert spec["paths"][f"{BASE}/my-object"]["post"]["responses"]["200"]["description"] == "MyObject"
    assert spec["security"] == []
    bearer = _file_024("server-bearer")["paths"]
    assert bearer[f"{BASE}/whoami-default"]["get"]["security"] == [{"auth.bearer": []}]
    assert "security" not in bearer[f"{BASE}/whoami-unsecured"]["get"]


def test_data_object_schemas_as_024_wrote_them() -> None:
    """``compat024_schemas-024.json``: the components 0.24 wrote for ``compat024_schemas.Holder``."""
    from compat024_schemas import Holder

    expected = json.loads((FIXTURE / "compat024_schemas-024.json").read_text())
    schema, components = schema_with_components(Holder)
    assert schema == {"$ref": "#/components/schemas/Holder"}
    assert json.dumps(components, indent=2) == json.dumps(expected, indent=2)


def test_types_024_could_not_describe() -> None:
    """0.24 wrote ``{}`` for these (warning "Unable to create schema"), and ``"items": [<schema>, ...]``
    (not OpenAPI 3.0) for fixed-length tuples: ours describe them from pydantic's JSON schema."""
    from compat024_schemas import PlainBase

    assert schema_with_components(Tuple[int, str])[0] == {
        "maxItems": 2, "minItems": 2, "type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "string"}]}}
    assert schema_with_components(FrozenSet[int])[0] == {"type": "array", "items": {"type": "integer"},
                                                         "uniqueItems": True}
    assert schema_with_components(bytes)[0] == {"format": "binary", "type": "string"}
    plain, components = schema_with_components(PlainBase)
    plain.pop("description", None)  # the docstring, on the pydantic versions that take it
    assert (plain, components) == ({"properties": {"y": {"type": "string"}}, "required": ["y"], "type": "object"}, {})


def test_diff_accepts_024_file() -> None:
    result = CliRunner().invoke(openapi, ["diff", "--config-files", _config_files("server"),
                                          "--input-file", str(FILES["server"])])
    assert result.exit_code == 0, result.output
    assert "OK: API spec and running configuration match." in result.output


def test_diff_names_changed_components(tmp_path: Path) -> None:
    edited = _file_024()
    edited["components"]["schemas"]["Part"]["description"] = "edited"
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(edited))
    result = CliRunner().invoke(openapi, ["diff", "--config-files", _config_files("server"),
                                          "--input-file", str(path)])
    assert result.exit_code == 1
    assert "components.schemas.Part" in result.output


def test_update_of_024_file_needs_no_new_version(tmp_path: Path) -> None:
    path = tmp_path / "openapi.json"
    path.write_text(FILES["server"].read_text())
    result = CliRunner().invoke(openapi, ["update", "--config-files", _config_files("server"),
                                          "--input-file", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(path.read_text()) == without_known_024_differences(_file_024())


async def test_server_runs_with_024_file(web_client: MakeClient) -> None:
    files = [str(CONFIG / "server.json"), str(CONFIG / "plugin.json"), str(CONFIG / "app.json")]
    client = await web_client(files, api_file=str(FILES["server"]))
    resp = await client.get("/api/docs/swagger.json")
    assert await resp.json() == without_known_024_differences(_file_024())

    resp = await client.get(f"{BASE}/atomic-str", params={"text": "hi"}, headers=TRACK)
    assert resp.status == 200
    assert await resp.json() == {"atomic_str": "hi"}
    resp = await client.get(f"{BASE}/atomic-str", params={"text": "hi"}, headers={"X-Track-Caller": "c1"})
    assert resp.status == 400
    assert '"x-track-session-id": "is required"' in await resp.text()
    args = {"name": "n", "count": "2", "ratio": "0.5", "flag": "true", "since": "2020-01-01T00:00:00Z",
            "plain": "p", "color": "red"}
    resp = await client.get(f"{BASE}/query-thing", params=[*args.items(), ("ids", "1"), ("ids", "2")], headers=TRACK)
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["id"] == "n"
    resp = await client.post(f"{BASE}/atomic-int", json={"value": "abc"}, headers=TRACK)
    assert resp.status == 200
    assert await resp.json() == {"atomic_int": 3}
    # documented as [{"auth.bearer": []}], as 0.24 did, yet the event takes requests without credentials
    assert (await client.get(f"{BASE}/whoami-optional", headers=TRACK)).status == 200
    assert (await client.get(f"{BASE}/whoami-bearer", headers=TRACK)).status == 401


async def test_server_default_auth_with_unsecured_takes_requests_without_credentials(web_client: MakeClient) -> None:
    files = [str(CONFIG / "server-bearer.json"), str(CONFIG / "plugin.json"), str(CONFIG / "app.json")]
    client = await web_client(files, api_file=str(FILES["server-bearer"]))
    assert (await client.get(f"{BASE}/whoami-default", headers=TRACK)).status == 200
    assert (await client.get(f"{BASE}/whoami-bearer", headers=TRACK)).status == 401


async def test_api_auto_serves_the_024_spec(web_client: MakeClient) -> None:
    files = [str(CONFIG / "server.json"), str(CONFIG / "plugin.json"), str(CONFIG / "app.json")]
    client = await web_client(files, api_auto=["2.1.0", "Compat 0.24", "0.24-style app"])
    resp = await client.get("/api/docs/swagger.json")
    assert await resp.json() == without_known_024_differences(_file_024())


def test_known_024_differences_leave_the_file_alone() -> None:
    written = _file_024()
    before = copy.deepcopy(written)
    without_known_024_differences(written)
    assert written == before


def test_dangling_refs_of_024_take_the_computed_schema() -> None:
    computed: Dict[str, Any] = {"paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {
        "schema": {"type": "object"}}}}}}}}}
    file_024: Dict[str, Any] = {
        "components": {"schemas": {"Known": {"type": "object"}}},
        "paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/dict"}}}}}}}},
    }
    fixed = without_known_024_differences(file_024, computed)
    assert fixed["paths"] == computed["paths"]
    # a reference to a schema the file has is kept, even where the apps now compute something else
    file_024["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/Known"}
    kept = without_known_024_differences(file_024, computed)
    assert kept["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Known"}
