"""Issue #12 item 4: multipart uploads that try to exhaust the server, and what a refused upload leaves."""

from __future__ import annotations

import asyncio
from typing import AsyncIterator, Iterator, List, Tuple

import pytest
from harness.clients import SESSION
from harness.configs import SIMPLE_EXAMPLE, Layout, simple_example_config
from harness.figures import Figures
from harness.http import BOUNDARY, Part, RawResponse, exchange, multipart, request_head, stream_upload
from harness.processes import ServerProcess, memory_kb

UPLOAD = f"{SIMPLE_EXAMPLE}/upload-something"
FORM = {**SESSION, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
MB = 1024 * 1024


@pytest.fixture(scope="module")
def upload_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[ServerProcess, Layout]]:
    """simple-example of this module alone: the memory figures are its own."""
    layout = simple_example_config(tmp_path_factory.mktemp("uploads"))
    server = ServerProcess(layout.config_files, workdir=layout.folder, name="simple-example")
    try:
        yield server.start(), layout
    finally:
        server.kill()


async def big_text_field_body(prefix: List[Part], field: str, size: int) -> Tuple[AsyncIterator[bytes], int]:
    """Chunks of a form: ``prefix`` parts, then text field ``field`` of ``size`` bytes; and the total length."""
    head = multipart(prefix, close=False) + Part(field, b"").head()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()

    async def chunks() -> AsyncIterator[bytes]:
        yield head
        left = size
        block = b"a" * MB
        while left > 0:
            yield block[: min(MB, left)]
            left -= MB
        yield tail

    return chunks(), len(head) + size + len(tail)


async def upload_watching_memory(server: ServerProcess, chunks: AsyncIterator[bytes], length: int
                                 ) -> Tuple[RawResponse, int, int]:
    """Stream an upload; the response, the bytes sent, and the server's peak RSS growth (kB) meanwhile."""
    start = memory_kb(server.pid)["VmRSS"]
    peak = start
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, memory_kb(server.pid)["VmRSS"])
            await asyncio.sleep(0.01)

    sampling = asyncio.ensure_future(sample())
    try:
        response, sent = await stream_upload(server.port, UPLOAD, FORM, chunks, length)
    finally:
        done.set()
        await sampling
    peak = max(peak, memory_kb(server.pid)["VmRSS"])
    return response, sent, peak - start


def log_bytes(layout: Layout) -> int:
    """Bytes in the server's log files."""
    return sum(path.stat().st_size for path in layout.log_files())


async def test_50mb_text_field_is_refused_with_413(
    upload_server: Tuple[ServerProcess, Layout], figures: Figures
) -> None:
    """A 50 MB text field: 413 before it is all read, with the server's memory and logs barely moved."""
    server, layout = upload_server
    logs_before = log_bytes(layout)
    form = [Part("id", b"big"), Part("attachment", b"small file", filename="a.txt", content_type="text/plain")]
    chunks, length = await big_text_field_body(form, "user", 50 * MB)
    response, sent, growth_kb = await upload_watching_memory(server, chunks, length)
    log_growth = log_bytes(layout) - logs_before
    figures.report("50 MB text field", status=response.status, body_bytes=length, sent_before_answer=sent,
                   rss_peak_growth_kb=growth_kb, log_growth_bytes=log_growth)
    assert response.status == 413, f"{response.status}: {response.message()[:300]}"
    assert growth_kb < 32 * 1024, f"the server grew {growth_kb} kB for one text field: it held the field whole"
    assert log_growth < MB, f"the logs grew {log_growth} bytes: the field was written to a log line"


async def test_too_many_parts_are_refused(upload_server: Tuple[ServerProcess, Layout], figures: Figures) -> None:
    """5,000 tiny files in one form: refused, and none of them left in the upload folder."""
    server, layout = upload_server
    parts = [Part("id", b"many"), Part("user", b"attacker")]
    parts += [Part(f"file{n}", b"x", filename=f"f{n}.txt", content_type="text/plain") for n in range(5000)]
    body = multipart(parts)
    response = await exchange(server.port, request_head("POST", UPLOAD, server.port, FORM, len(body)) + body)
    left = sorted(path.name for path in layout.uploads.glob("many-*"))
    figures.report("too many parts", parts=len(parts), status=response.status, files_left=len(left))
    assert response.status in (400, 413), f"{response.status}: {response.message()[:300]}"
    assert response.message(), "the refusal says what was wrong"
    assert left == [], f"{len(left)} files of the refused upload are left, e.g. {left[:3]}"


async def test_refused_upload_leaves_no_files(upload_server: Tuple[ServerProcess, Layout], figures: Figures) -> None:
    """A file saved, then the upload is refused (a part over the limit; a truncated body): the file is removed."""
    server, layout = upload_server
    saved_first = [Part("id", b"refused1"),
                   Part("attachment", b"\x89PNG" + b"p" * MB, filename="photo.png", content_type="image/png")]
    chunks, length = await big_text_field_body(saved_first, "user", 50 * MB)
    too_large, _ = await stream_upload(server.port, UPLOAD, FORM, chunks, length)

    truncated_parts = [Part("id", b"refused2"), Part("user", b"attacker"),
                       Part("attachment", b"\x89PNG" + b"p" * MB, filename="photo.png", content_type="image/png")]
    body = multipart(truncated_parts, close=False) + Part("attachment2", b"", filename="more.png").head() + b"half"
    truncated = await exchange(server.port, request_head("POST", UPLOAD, server.port, FORM, len(body)) + body)
    left = sorted(path.name for path in layout.uploads.glob("refused*"))
    figures.report("refused uploads", over_limit_status=too_large.status, truncated_status=truncated.status,
                   files_left=left)
    assert too_large.status == 413, f"{too_large.status}: {too_large.message()[:300]}"
    assert truncated.status == 400, f"{truncated.status}: {truncated.message()[:300]}"
    assert left == [], f"files of refused uploads are left: {left}"
