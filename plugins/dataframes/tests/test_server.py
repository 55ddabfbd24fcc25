"""df-app run as a user runs it (``hopeit_server run``): dataframes through web requests, streams and SHUFFLE."""

import json
import shutil
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List, Tuple

import aiohttp
import pytest
from conftest import parquet_files
from hopeit.testing.redis import RedisServer
from hopeit.testing.waiting import wait_until
from servers import BASE, CONFIG, HopeitServer, df_app_server

ROWS = [
    {"sensor": "a", "value": 1.5, "count": 1, "at": "2024-01-01T00:00:00"},
    {"sensor": "b", "value": -2.0, "count": 2},
    {"sensor": "c", "value": 3.0, "count": 3},
]


async def call(server: HopeitServer, method: str, path: str, body: Any = None) -> Tuple[int, Any]:
    async with aiohttp.ClientSession() as session:
        async with session.request(method, server.url + BASE + path, json=body) as resp:
            text = await resp.text()
            try:
                return resp.status, json.loads(text)
            except ValueError:
                return resp.status, text


async def summary_of(server: HopeitServer, key: str) -> Dict[str, Any]:
    async def found() -> Any:
        status, body = await call(server, "GET", f"/summary?key={key}")
        return body if status == 200 else None

    result: Dict[str, Any] = await wait_until(found, timeout=30, interval=0.05, what=f"summary {key}")
    return result


@pytest.fixture
async def server(tmp_path: Path, data_path: Path) -> AsyncIterator[HopeitServer]:
    started = df_app_server(tmp_path, data_path).start()
    try:
        yield started.wait_ready()
    finally:
        started.stop()


async def test_records_and_pointers_through_web_and_streams(server: HopeitServer, data_path: Path) -> None:
    status, body = await call(server, "POST", "/ingest", {"batch_id": "w1", "readings": ROWS})
    assert status == 200, body
    assert body["batch_id"] == "w1" and [r["sensor"] for r in body["readings"]] == ["a", "b", "c"]
    assert await summary_of(server, "w1") == {"batch_id": "w1", "rows": 3, "total": 2.5, "rejected": 0}
    # the serialized form (Dataset pointers) is what save_batch answers, and what 0.24 clients POST
    status, pointers = await call(server, "POST", "/save-batch", {"batch_id": "w2", "readings": ROWS})
    assert status == 200 and set(pointers["readings"]) == {"protocol", "partition_key", "key", "datatype"}
    status, body = await call(server, "POST", "/ingest", pointers)
    assert status == 200, body
    assert await summary_of(server, "w2") == {"batch_id": "w2", "rows": 3, "total": 2.5, "rejected": 0}
    status, body = await call(server, "POST", "/pipeline", {"batch_id": "p1", "readings": ROWS})
    assert status == 200, body
    assert await summary_of(server, "p1-pipeline") == {"batch_id": "p1", "rows": 2, "total": 4.5, "rejected": 1}


async def test_a_dataframe_payload_and_the_openapi_spec(server: HopeitServer) -> None:
    status, body = await call(server, "POST", "/echo-frame", ROWS)
    assert status == 200 and [r["sensor"] for r in body] == ["a", "c"]
    status, pointers = await call(server, "POST", "/save-batch", {"batch_id": "e", "readings": ROWS})
    status, body = await call(server, "POST", "/echo-frame", pointers["readings"])
    assert status == 200 and len(body) == 2
    async with aiohttp.ClientSession() as session:
        async with session.get(server.url + "/api/docs/swagger.json") as resp:
            assert resp.status == 200
            spec = await resp.json()
    schemas = spec["components"]["schemas"]
    assert set(schemas["Reading_"]["properties"]) == {"sensor", "value", "count", "at"}  # the row type
    assert "Dataset" in schemas
    ingest = spec["paths"][f"{BASE}/ingest"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert ingest["properties"]["readings"]["anyOf"] == [
        {"$ref": "#/components/schemas/Dataset"}, {"type": "array", "items": {"$ref": "#/components/schemas/Reading_"}}
    ]
    echo = spec["paths"][f"{BASE}/echo-frame"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert [option.get("$ref", option.get("type")) for option in echo["anyOf"]] == [
        "#/components/schemas/Reading_", "#/components/schemas/Dataset", "array"
    ]


async def test_bad_input_is_a_400_and_leaves_nothing_behind(server: HopeitServer, data_path: Path) -> None:
    missing: List[Dict[str, Any]] = [{"sensor": "a", "value": 1.0}]
    status, body = await call(server, "POST", "/ingest", {"batch_id": "x", "readings": missing})
    assert status == 400 and "count" in body["msg"] and "Field required" in body["msg"], (status, body)
    status, body = await call(server, "POST", "/ingest", {"batch_id": "x", "readings": [{**ROWS[0], "value": "x"}]})
    assert status == 400 and "value" in body["msg"] and "[0]" in body["msg"], (status, body)
    status, pointers = await call(server, "POST", "/save-batch", {"batch_id": "g", "readings": ROWS})
    assert status == 200, pointers
    [saved] = parquet_files(data_path / "datasets")
    wrong = pointers["readings"]
    wrong_type = {**wrong, "datatype": "df_app.Values"}
    status, body = await call(server, "POST", "/ingest", {"batch_id": "g", "readings": wrong_type})
    assert status == 400 and "holds df_app.Values, expected df_app.Reading" in body["msg"], (status, body)
    shutil.copy(saved, saved.with_suffix(".keep"))
    saved.write_bytes((CONFIG / "app-config.json").read_bytes())  # not parquet at all
    status, body = await call(server, "POST", "/ingest", {"batch_id": "g", "readings": wrong})
    assert status == 400, body
    saved.unlink()
    status, body = await call(server, "POST", "/ingest", {"batch_id": "g", "readings": wrong})
    assert status == 400 and "not found" in body["msg"], (status, body)
    assert parquet_files(data_path / "datasets") == []  # refused requests saved nothing


async def test_train_through_redis_streams(redis_server: RedisServer, tmp_path: Path, data_path: Path) -> None:
    config = tmp_path / "server-redis.json"
    settings = json.loads((CONFIG / "server.json").read_text())
    settings["streams"] = {"stream_manager": "redis", "connection_str": redis_server.url,
                           "delay_auto_start_seconds": 0}
    config.write_text(json.dumps(settings))
    server = df_app_server(tmp_path, data_path, server_config=config).start()
    try:
        server.wait_ready()
        status, body = await call(server, "POST", "/pipeline", {"batch_id": "r1", "readings": ROWS})
        assert status == 200, body
        assert await summary_of(server, "r1-pipeline") == {"batch_id": "r1", "rows": 2, "total": 4.5, "rejected": 1}
    finally:
        server.stop()
