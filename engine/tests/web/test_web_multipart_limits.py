"""Multipart uploads under attack: every byte counts against the limits, and a rejected upload leaves no files.

``upload`` allows 200,000 bytes, 20 parts and 50,000 bytes per text field (test config);
``upload_default`` runs the same event with the defaults (100 MiB, 1,000 parts, 1 MiB per field).
"""

import json
import tracemalloc
from pathlib import Path
from typing import AsyncIterator, Dict, List, Tuple

import aiohttp
from web_support import BASE, MakeClient

BOUNDARY = "lim1t5"
HEADERS = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}

Part = Tuple[str, str, int]  # (field name, file name or "" for a text field, size in bytes)


async def _chunked(parts: List[Part], chunk: int = 65536) -> AsyncIterator[bytes]:
    """A multipart body sent chunked (no Content-Length), generated as it goes: the client holds no copy."""
    for name, file_name, size in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{file_name}"' if file_name else "")
        kind = "application/octet-stream" if file_name else "text/plain"
        yield f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\nContent-Type: {kind}\r\n\r\n".encode()
        left = size
        while left > 0:
            step = min(chunk, left)
            yield b"x" * step
            left -= step
        yield b"\r\n"
    yield f"--{BOUNDARY}--\r\n".encode()


async def _post(client: aiohttp.ClientSession, path: str, parts: List[Part]) -> Tuple[int, Dict[str, object]]:
    resp = await client.post(f"{BASE}/{path}", data=_chunked(parts), headers=HEADERS)
    return resp.status, await resp.json(content_type=None)  # error answers are text/plain, as in 0.24


def _uploads(env: Dict[str, str]) -> List[str]:
    return sorted(p.name for p in Path(env["HOPEIT_TEST_UPLOADS"]).iterdir())


async def test_50mb_text_field_is_413_with_bounded_memory(web_client: MakeClient, web_env: Dict[str, str]) -> None:
    client = await web_client()
    tracemalloc.start()
    try:
        status, body = await _post(client, "upload-default", [("name", "", 50 * 1024 * 1024)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status == 413
    assert body == {"msg": "Multipart field 'name' too large: the limit is 1048576 bytes", "tb": []}
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes while refusing a 50 MB field"  # not 50 MB (nor 2 x 50)


async def test_text_field_over_configured_field_limit_is_413(web_client: MakeClient) -> None:
    client = await web_client()
    status, body = await _post(client, "upload", [("name", "", 50_001)])
    assert (status, body) == (413, {"msg": "Multipart field 'name' too large: the limit is 50000 bytes", "tb": []})
    status, body = await _post(client, "upload", [("name", "", 50_000)])
    assert status == 200 and body["fields"] == {"name": "x" * 50_000}


async def test_text_fields_count_against_the_body_limit_chunked(web_client: MakeClient) -> None:
    client = await web_client()
    fields: List[Part] = [(f"f{i}", "", 40_000) for i in range(6)]  # each under the field limit, 240 KB in all
    status, body = await _post(client, "upload", fields)
    assert (status, body) == (413, {"msg": "Request body too large: the limit is 200000 bytes", "tb": []})


async def test_too_many_parts_is_413_and_saved_files_are_removed(web_client: MakeClient,
                                                                  web_env: Dict[str, str]) -> None:
    client = await web_client()
    files: List[Part] = [(f"file{i}", f"f{i}.bin", 10) for i in range(25)]
    status, body = await _post(client, "upload", files)
    assert (status, body) == (413, {"msg": "Too many parts in the multipart body: the limit is 20", "tb": []})
    assert _uploads(web_env) == []  # the 20 files saved before the 21st part was refused are gone


async def test_default_part_limit_is_1000(web_client: MakeClient) -> None:
    client = await web_client()
    status, body = await _post(client, "upload-default", [(f"f{i}", "", 1) for i in range(1001)])
    assert (status, body) == (413, {"msg": "Too many parts in the multipart body: the limit is 1000", "tb": []})
    status, body = await _post(client, "upload-default", [(f"f{i}", "", 1) for i in range(1000)])
    assert status == 200 and len(body["fields"]) == 1000  # type: ignore[arg-type]


async def test_files_of_an_upload_refused_midway_are_removed(web_client: MakeClient, web_env: Dict[str, str]) -> None:
    client = await web_client()
    status, _ = await _post(client, "upload", [("a", "first.bin", 100_000), ("b", "second.bin", 150_000)])
    assert status == 413
    assert _uploads(web_env) == []  # first.bin was saved whole before second.bin passed the limit

    status, body = await _post(client, "upload", [("a", "first.bin", 100_000), ("b", "second.bin", 50_000)])
    assert status == 200 and body["files"] == {"a": 100_000, "b": 50_000}
    assert _uploads(web_env) == ["first.bin", "second.bin"]  # an accepted upload keeps its files


async def test_files_of_an_upload_with_a_malformed_part_are_removed(web_client: MakeClient,
                                                                    web_env: Dict[str, str]) -> None:
    client = await web_client()
    body = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"a\"; filename=\"kept.bin\"\r\n\r\n"
            f"data\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"meta\"\r\n"
            f"Content-Type: application/json\r\n\r\n{{bad json\r\n--{BOUNDARY}--\r\n").encode()
    resp = await client.post(f"{BASE}/upload", data=body, headers=HEADERS)
    assert resp.status == 400
    assert json.loads(await resp.text())["msg"].startswith("Multipart field 'meta' is not valid JSON")
    assert _uploads(web_env) == []


async def test_files_of_an_upload_the_event_refuses_are_removed(web_client: MakeClient,
                                                                web_env: Dict[str, str]) -> None:
    client = await web_client()
    status, _ = await _post(client, "upload", [("a", "first.bin", 1000)])
    assert status == 200
    form = aiohttp.FormData()
    form.add_field("file", b"data", filename="refused.bin")
    form.add_field("refuse_with", "409")
    resp = await client.post(f"{BASE}/upload", data=form)
    assert resp.status == 409
    assert _uploads(web_env) == ["first.bin"]  # refused.bin, saved by __preprocess__, is gone


async def test_file_read_in_chunks_smaller_than_the_boundary(web_client: MakeClient, web_env: Dict[str, str]) -> None:
    from web_test_app import state

    client = await web_client()
    state.UPLOAD_CHUNK_SIZE[0] = 7  # aiohttp alone fails on chunks shorter than the boundary line
    try:
        status, body = await _post(client, "upload", [("a", "small-chunks.bin", 1000)])
    finally:
        state.UPLOAD_CHUNK_SIZE[0] = 0
    assert status == 200 and body["files"] == {"a": 1000}
    assert (Path(web_env["HOPEIT_TEST_UPLOADS"]) / "small-chunks.bin").read_bytes() == b"x" * 1000
