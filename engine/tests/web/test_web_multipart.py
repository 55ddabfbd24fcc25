"""MULTIPART uploads streamed to disk with a size limit, and file and streamed downloads."""

import json
import os
from pathlib import Path
from typing import AsyncIterator, Dict

import aiohttp
from web_support import BASE, MakeClient


def _form(name: str, data: bytes) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("name", "a name")
    form.add_field("meta", '{"k": 1}', content_type="application/json")
    form.add_field("file", data, filename=name, content_type="application/octet-stream")
    return form


async def test_upload_saves_files_and_parses_fields(web_client: MakeClient, web_env: Dict[str, str]) -> None:
    client = await web_client()
    data = os.urandom(150_000)
    resp = await client.post(f"{BASE}/upload", data=_form("up.bin", data))
    assert resp.status == 200
    assert await resp.json() == {"fields": {"name": "a name", "meta": "{'k': 1}"}, "files": {"file": 150_000}}
    assert (Path(web_env["HOPEIT_TEST_UPLOADS"]) / "up.bin").read_bytes() == data


async def test_upload_over_limit_is_413(web_client: MakeClient, web_env: Dict[str, str]) -> None:
    client = await web_client()
    resp = await client.post(f"{BASE}/upload", data=_form("big.bin", b"x" * 300_000))
    assert resp.status == 413
    assert json.loads(await resp.text())["msg"] == "Request body too large: the limit is 200000 bytes"

    async def chunks() -> AsyncIterator[bytes]:  # chunked: no Content-Length, counted while saved
        for _ in range(30):
            yield b"y" * 10_000

    writer = aiohttp.MultipartWriter("form-data")
    part = writer.append(chunks(), {"Content-Type": "application/octet-stream"})
    part.set_content_disposition("form-data", name="file", filename="chunked.bin")
    resp = await client.post(f"{BASE}/upload", data=writer)
    assert resp.status == 413
    assert not (Path(web_env["HOPEIT_TEST_UPLOADS"]) / "chunked.bin").exists()  # partial file removed


async def test_upload_that_is_not_multipart_is_400(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.post(f"{BASE}/upload", json={"name": "x"})
    assert resp.status == 400
    assert json.loads(await resp.text())["msg"].startswith("Expected a multipart/form-data request")


async def test_file_download(web_client: MakeClient, web_env: Dict[str, str]) -> None:
    data = os.urandom(70_000)
    (Path(web_env["HOPEIT_TEST_UPLOADS"]) / "data.bin").write_bytes(data)
    client = await web_client()
    resp = await client.get(f"{BASE}/download", params={"kind": "file", "name": "data.bin"})
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "application/octet-stream"
    assert resp.headers["X-Event-App"] == "web_test.1x0"
    assert await resp.read() == data


async def test_streamed_download(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.get(f"{BASE}/download", params={"kind": "stream", "name": "lines.txt"})
    assert resp.status == 200
    assert resp.headers["Content-Disposition"] == 'attachment; filename="lines.txt"'
    assert resp.headers["Content-Type"] == "text/plain"
    assert "X-Track-Request-Id" in resp.headers
    assert await resp.text() == "".join(f"line {i}\n" for i in range(5))
