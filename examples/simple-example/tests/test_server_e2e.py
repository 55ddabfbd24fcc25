"""simple-example end to end: a real ``hopeit_server run`` process, on in-process streams and on Redis."""

import asyncio
import base64
import io
import json
import os
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Optional, TypeVar

import aiohttp
import pytest
from conftest import EXAMPLE_DIR
from hopeit.testing.redis import RedisServer
from simple_example.testing import APP_ROUTE, RunningServer, simple_example_configs

APP = APP_ROUTE
SESSION = {"X-Track-Session-Id": "e2e-session"}

T = TypeVar("T")


@pytest.fixture(scope="module", params=["memory", "redis"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """simple-example served by hopeit_server with --start-streams, on each stream manager."""
    stream_manager: str = request.param
    tmp_path = tmp_path_factory.mktemp(f"server-{stream_manager}")
    env: Dict[str, str] = {}
    redis: Optional[RedisServer] = None
    if stream_manager == "redis":
        redis = RedisServer().start()
        env["HOPEIT_REDIS_URL"] = redis.url
    config_files = simple_example_configs(
        EXAMPLE_DIR / "config", tmp_path, stream_manager=stream_manager,
        settings={
            "storage.save_events_fs": {"flush_seconds": 1.0},
            "service.something_generator": {"interval_seconds": 0.2, "max_items": 2},
        },
    )
    running = RunningServer(config_files, workdir=tmp_path, env=env)
    try:
        yield running.start()
    finally:
        code = running.stop()
        if redis is not None:
            redis.close()
    assert code == 0, running.output()


def data_path(server: RunningServer) -> Path:
    return server.workdir / "data"


async def eventually(check: Callable[[], Awaitable[Optional[T]]], timeout: float = 30.0) -> T:
    """The first non-None result of ``check``, polled until ``timeout`` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result is not None:
            return result
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting for the server"
        await asyncio.sleep(0.2)


async def query(session: aiohttp.ClientSession, server: RunningServer, item_id: str) -> Optional[Dict[str, Any]]:
    async with session.get(f"{server.base_url}{APP}/query-something", params={"item_id": item_id},
                           headers=SESSION) as resp:
        if resp.status == 404:
            return None
        assert resp.status == 200, await resp.text()
        item: Dict[str, Any] = await resp.json()
        return item


async def login(
    session: aiohttp.ClientSession, server: RunningServer, password: str = "hopeit"
) -> aiohttp.ClientResponse:
    credentials = base64.b64encode(f"demo:{password}".encode()).decode()
    headers = {**SESSION, "Authorization": f"Basic {credentials}"}
    async with session.get(f"{server.base_url}{APP}/login", headers=headers) as resp:
        await resp.read()
        return resp


async def test_openapi_spec_and_docs(server: RunningServer) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{server.base_url}/api/docs/swagger.json") as resp:
            assert resp.status == 200
            spec = await resp.json()
        async with session.get(f"{server.base_url}/api/docs/") as resp:
            assert resp.status == 200 and "rapi-doc" in (await resp.text())
    paths = spec["paths"]
    for route in ("login", "list-somethings", "query-something", "save-something", "upload-something",
                  "download-something", "download-something-streamed", "streams/something-event",
                  "collector/query-concurrently", "collector/collect-spawn", "shuffle/spawn-event",
                  "shuffle/parallelize-event"):
        assert f"{APP}/{route}" in paths, route
    assert set(paths[f"{APP}/query-something"]) == {"get", "post"}
    assert paths[f"{APP}/save-something"]["post"]["security"] == [{"auth.bearer": []}]
    assert paths[f"{APP}/login"]["get"]["security"] == [{"auth.basic": []}]
    assert "Something" in spec["components"]["schemas"]


async def test_auth_login_and_bearer(server: RunningServer) -> None:
    params = {"id": "auth-1", "user": "ana"}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{server.base_url}{APP}/save-something", json=params, headers=SESSION) as resp:
            assert resp.status == 401
        assert (await login(session, server, password="wrong")).status == 401
        credentials = base64.b64encode(b"demo:hopeit").decode()
        async with session.get(f"{server.base_url}{APP}/login",
                               headers={**SESSION, "Authorization": f"Basic {credentials}"}) as resp:
            assert resp.status == 200
            token = (await resp.json())["access_token"]
        bearer = {**SESSION, "Authorization": f"Bearer {token}"}
        async with session.post(f"{server.base_url}{APP}/save-something", json=params,
                                headers={**bearer, "Authorization": "Bearer not-a-token"}) as resp:
            assert resp.status == 401
        async with session.post(f"{server.base_url}{APP}/save-something", json=params, headers=bearer) as resp:
            assert resp.status == 200, await resp.text()
            path = (await resp.json())["save_something"]
            assert resp.headers["X-Stored-Path"] == path
        assert Path(path).is_file() and path.startswith(str(data_path(server)))
        async with session.get(f"{server.base_url}{APP}/list-somethings", params={"wildcard": "auth-*"},
                               headers=bearer) as resp:
            assert resp.status == 200
            assert [item["id"] for item in await resp.json()] == ["auth-1"]


async def test_management_routes_need_a_bearer_token(server: RunningServer) -> None:
    """The example's server config protects /mgmt (``auth.mgmt_auth_methods``): a login token stops and starts."""
    mgmt = f"{server.base_url}/mgmt/simple-example/1x0/streams/process-events"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{mgmt}/stop") as resp:
            assert resp.status == 401, await resp.text()
        credentials = base64.b64encode(b"demo:hopeit").decode()
        async with session.get(f"{server.base_url}{APP}/login",
                               headers={**SESSION, "Authorization": f"Basic {credentials}"}) as resp:
            token = (await resp.json())["access_token"]
        operator = {"Authorization": f"Bearer {token}"}
        async with session.get(f"{mgmt}/stop", headers=operator) as resp:
            assert resp.status == 200, await resp.text()
        async with session.get(f"{mgmt}/start", headers=operator) as resp:
            assert resp.status == 200, await resp.text()


async def test_track_headers_are_echoed(server: RunningServer) -> None:
    headers = {**SESSION, "X-Track-Request-Id": "pinned-request-id"}
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{server.base_url}{APP}/query-something", params={"item_id": "none"},
                               headers=headers) as resp:
            assert resp.status == 404
            assert (await resp.json())["id"] == "none"
            assert resp.headers["X-Track-Session-Id"] == "e2e-session"
            assert resp.headers["X-Track-Request-Id"] == "pinned-request-id"
            assert resp.headers["X-Event-App"] == "simple_example.1x0"


async def test_ids_are_literal_and_bad_ids_are_400(server: RunningServer) -> None:
    base = f"{server.base_url}{APP}"
    status = {"ts": "2024-03-05T10:00:00+00:00", "type": "SUBMITTED"}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{base}/streams/something-event",
                                json={"id": "lit-1", "user": {"id": "u", "name": "u"}}, headers=SESSION) as resp:
            assert resp.status == 200
        await eventually(lambda: query(session, server, "lit-1"))
        stored = sorted(p for p in data_path(server).rglob("*.json"))
        before = {p: p.read_bytes() for p in stored}
        for item_id in ("*", "lit-*", "[l]*", "?it-1"):  # patterns must match nothing but themselves
            assert await query(session, server, item_id) is None
            async with session.post(f"{base}/query-something", params={"item_id": item_id}, json=status,
                                    headers=SESSION) as resp:
                assert resp.status == 404, await resp.text()
        for item_id in ("", "..", "../../etc/passwd", "/etc/passwd", "a\x00b", ".hidden"):
            async with session.get(f"{base}/query-something", params={"item_id": item_id}, headers=SESSION) as resp:
                assert resp.status == 400
                assert (await resp.json(content_type=None))["msg"].startswith("Invalid item_id: ")
        async with session.get(f"{base}/query-something", params={"item_id": "lit-1", "partition_key": "../.."},
                               headers=SESSION) as resp:
            assert resp.status == 400
            assert (await resp.json(content_type=None))["msg"].startswith("Invalid partition_key: ")
        async with session.post(f"{base}/collector/query-concurrently", json={"item1_id": "", "item2_id": ""},
                                headers=SESSION) as resp:
            assert resp.status == 400
            assert (await resp.json(content_type=None))["msg"].startswith("Invalid item1_id: ")
        assert {p: p.read_bytes() for p in stored} == before


async def test_stream_event_is_processed_stored_and_batched(server: RunningServer) -> None:
    item = {"id": "streamed-1", "user": {"id": "u1", "name": "Ana"}}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{server.base_url}{APP}/streams/something-event", json=item,
                                headers=SESSION) as resp:
            assert resp.status == 200
            assert (await resp.json())["status"]["type"] == "SUBMITTED"
        stored = await eventually(lambda: query(session, server, "streamed-1"))
    assert [status["type"] for status in stored["history"]] == ["SUBMITTED", "PROCESSED"]
    assert stored["status"]["type"] == "LOADED"

    # streams.process_events published SomethingStored to its stream; the batch storage event wrote it
    async def batched() -> Optional[Dict[str, Any]]:
        for file in (data_path(server) / "batches").rglob("*.jsonlines"):
            for line in file.read_text().splitlines():
                record: Dict[str, Any] = json.loads(line)
                if record["payload"]["id"] == "streamed-1":
                    return record
        return None

    record = await eventually(batched)
    assert record["payload"]["status"]["type"] == "PROCESSED"


async def test_upload_and_download(server: RunningServer) -> None:
    content = os.urandom(3 * 1024 * 1024 + 17)
    async with aiohttp.ClientSession() as session:
        form = aiohttp.FormData()
        form.add_field("id", "up-1")
        form.add_field("user", "ana")
        form.add_field("attachment", io.BytesIO(content), filename="photo.png", content_type="image/png")
        async with session.post(f"{server.base_url}{APP}/upload-something", data=form, headers=SESSION) as resp:
            assert resp.status == 200, await resp.text()
            info = await resp.json()
        assert info["uploaded_files"] == [{"field_name": "attachment", "file_name": "up-1-photo.png",
                                           "size": len(content)}]
        for event in ("download-something", "download-something-streamed"):
            async with session.get(f"{server.base_url}{APP}/{event}", params={"file_name": "up-1-photo.png"},
                                   headers=SESSION) as resp:
                assert resp.status == 200
                assert await resp.read() == content
                assert resp.headers["Content-Disposition"] == 'attachment; filename="up-1-photo.png"'
                assert resp.headers["X-Track-Session-Id"] == "e2e-session"
        async with session.get(f"{server.base_url}{APP}/download-something", params={"file_name": "up-1-photo.png"},
                               headers=SESSION) as resp:
            assert resp.content_type == "image/png"
        async with session.get(f"{server.base_url}{APP}/download-something", params={"file_name": "missing.png"},
                               headers=SESSION) as resp:
            assert resp.status == 404
        form = aiohttp.FormData()
        form.add_field("id", "up-2")
        async with session.post(f"{server.base_url}{APP}/upload-something", data=form, headers=SESSION) as resp:
            assert resp.status == 400


async def test_service_generates_items_after_setup(server: RunningServer) -> None:
    async with aiohttp.ClientSession() as session:
        for item_id in ("generated-0", "generated-1"):
            item = await eventually(lambda item_id=item_id: query(session, server, item_id))  # type: ignore[misc]
            assert item["user"]["name"] == "generator"
    assert (data_path(server) / ".initialized").is_file()


async def test_shuffle_spawn_and_parallelize(server: RunningServer) -> None:
    item = {"id": "sh", "user": {"id": "u1", "name": "Ana"}}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{server.base_url}{APP}/shuffle/spawn-event", json=item, headers=SESSION) as resp:
            assert resp.status == 200
            assert resp.headers["X-Stream-Name"] == "simple_example.1x0.streams.process_events"
        async with session.post(f"{server.base_url}{APP}/shuffle/parallelize-event", json=item,
                                headers=SESSION) as resp:
            assert resp.status == 200
        ids: List[str] = ["sh.0", "sh.1", "sh.2", "first_sh", "second_sh"]
        for item_id in ids:
            found = await eventually(lambda item_id=item_id: query(session, server, item_id))  # type: ignore[misc]
            assert [s["type"] for s in found["history"]] == ["SUBMITTED", "PROCESSED"]


async def test_collectors(server: RunningServer) -> None:
    async with aiohttp.ClientSession() as session:
        for item_id in ("col-1", "col-2"):
            item = {"id": item_id, "user": {"id": "u1", "name": "Ana"}}
            async with session.post(f"{server.base_url}{APP}/streams/something-event", json=item,
                                    headers=SESSION) as resp:
                assert resp.status == 200
            await eventually(lambda item_id=item_id: query(session, server, item_id))  # type: ignore[misc]
        body = {"item1_id": "col-1", "item2_id": "col-2"}
        async with session.post(f"{server.base_url}{APP}/collector/query-concurrently", json=body,
                                headers=SESSION) as resp:
            assert resp.status == 200
            assert [item["id"] for item in await resp.json()] == ["col-1", "col-2"]
        async with session.post(f"{server.base_url}{APP}/collector/collect-spawn", json=body,
                                headers=SESSION) as resp:
            assert resp.status == 200
            assert await resp.json() == {"collector.collect_spawn": 2}

        # the spawned items went back to the stream: processed again, their history grows
        async def reprocessed() -> Optional[bool]:
            found = await query(session, server, "col-1")
            return True if found and len(found["history"]) >= 3 else None

        await eventually(reprocessed)


async def test_streams_on_the_configured_manager(server: RunningServer) -> None:
    """On Redis, the messages of the app's streams are in Redis streams; in-process, nothing else is needed."""
    async with aiohttp.ClientSession() as session:
        item = {"id": "where-1", "user": {"id": "u1", "name": "Ana"}}
        async with session.post(f"{server.base_url}{APP}/streams/something-event", json=item,
                                headers=SESSION) as resp:
            assert resp.status == 200
        await eventually(lambda: query(session, server, "where-1"))
    redis_url = server.env.get("HOPEIT_REDIS_URL")
    if redis_url is None:
        return  # in-process streams: the round trip above is the proof
    import redis.asyncio

    client = redis.asyncio.from_url(redis_url)  # type: ignore[no-untyped-call]  # untyped in redis-py < 5.1
    try:
        submitted = "simple_example.1x0.streams.something_event.high-prio"
        processed = "simple_example.1x0.streams.process_events.high-prio"
        assert await client.xlen(submitted) > 0
        assert await client.xlen(processed) > 0
        groups = {g["name"].decode() for g in await client.xinfo_groups(submitted)}
        assert "simple_example.1x0.streams.process_events" in groups
    finally:
        await client.aclose()
