"""upload_something under attack, on a real ``hopeit_server run``: limits answer 413, malformed parts 400,
and an upload that is refused leaves no file in the upload folder.

The server runs with ``max_body_size`` 3,000,000 bytes and ``max_parts`` 5 for ``upload_something``
(text fields keep the default limit of 1 MiB).
"""

from typing import AsyncIterator, Iterator, List, Tuple

import aiohttp
import pytest
from conftest import EXAMPLE_DIR
from simple_example.testing import APP_ROUTE, RunningServer, simple_example_configs

UPLOAD = f"{APP_ROUTE}/upload-something"
BOUNDARY = "simple-ex4mple"
SESSION = {"X-Track-Session-Id": "upload-limits"}  # the API spec requires it
HEADERS = {**SESSION, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}

Part = Tuple[str, str, bytes]  # (field name, file name or "" for a text field, content)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    tmp_path = tmp_path_factory.mktemp("upload-limits")
    config_files = simple_example_configs(
        EXAMPLE_DIR / "config", tmp_path, settings={"upload_something": {"max_body_size": 3_000_000, "max_parts": 5}},
    )
    running = RunningServer(config_files, workdir=tmp_path, start_streams=False)
    try:
        yield running.start()
    finally:
        code = running.stop()
    assert code == 0, running.output()


def uploads(server: RunningServer) -> List[str]:
    folder = server.workdir / "data" / "uploads"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


@pytest.fixture(autouse=True)
def empty_uploads(server: RunningServer) -> None:
    for name in uploads(server):
        (server.workdir / "data" / "uploads" / name).unlink()


async def _chunked(parts: List[Part]) -> AsyncIterator[bytes]:
    for name, file_name, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{file_name}"' if file_name else "")
        yield f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        for start in range(0, len(content), 65536):
            yield content[start:start + 65536]
        yield b"\r\n"
    yield f"--{BOUNDARY}--\r\n".encode()


async def post(server: RunningServer, parts: List[Part]) -> Tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{server.base_url}{UPLOAD}", data=_chunked(parts), headers=HEADERS) as resp:
            return resp.status, await resp.text()


async def test_accepted_upload_keeps_its_file(server: RunningServer) -> None:
    status, _ = await post(server, [("id", "", b"ok-1"), ("user", "", b"ana"), ("attachment", "a.bin", b"x" * 1000)])
    assert status == 200
    assert uploads(server) == ["ok-1-a.bin"]


async def test_upload_missing_fields_leaves_no_file(server: RunningServer) -> None:
    status, text = await post(server, [("id", "", b"m-1"), ("attachment", "a.bin", b"x" * 1000)])
    assert status == 400 and "Missing required fields" in text
    assert uploads(server) == []  # saved while reading the form, removed when the event answered 400


async def test_upload_over_the_limit_leaves_no_file(server: RunningServer) -> None:
    parts = [("id", "", b"big"), ("user", "", b"ana"), ("attachment", "a.bin", b"x" * 2_000_000),
             ("second", "b.bin", b"y" * 2_000_000)]
    status, text = await post(server, parts)
    assert status == 413 and "the limit is 3000000 bytes" in text
    assert uploads(server) == []  # a.bin was saved whole before b.bin passed the limit


async def test_too_many_parts_leaves_no_file(server: RunningServer) -> None:
    parts = [("id", "", b"many"), ("user", "", b"ana"), *[(f"f{i}", f"f{i}.bin", b"z") for i in range(4)]]
    status, text = await post(server, parts)
    assert status == 413 and "Too many parts in the multipart body: the limit is 5" in text
    assert uploads(server) == []


async def test_huge_text_field_is_413_and_not_logged(server: RunningServer) -> None:
    # 0.24 took the whole field, then logged it twice per file (file name and something_id)
    parts = [("id", "", b"i" * 1_500_000), ("user", "", b"ana"), ("attachment", "a.bin", b"x")]
    status, text = await post(server, parts)
    assert status == 413 and "Multipart field 'id' too large: the limit is 1048576 bytes" in text
    assert uploads(server) == []
    assert max(len(line) for line in server.output().splitlines()) < 10_000


async def test_malformed_json_part_is_400_and_leaves_no_file(server: RunningServer) -> None:
    async with aiohttp.ClientSession() as session:
        form = aiohttp.FormData()
        form.add_field("id", "j-1")
        form.add_field("attachment", b"data", filename="j.bin")
        form.add_field("meta", '{"broken": ', content_type="application/json")
        async with session.post(f"{server.base_url}{UPLOAD}", data=form, headers=SESSION) as resp:
            assert resp.status == 400
            assert (await resp.json(content_type=None))["msg"].startswith("Multipart field 'meta' is not valid JSON")
    assert uploads(server) == []

