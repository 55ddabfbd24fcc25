"""Request and response hooks of web events (spec engine §9.2, §9.3)."""

from typing import Any, List

import pytest
from aiohttp import web
from hopeit.app import context as context_module
from hopeit.app.config import AppConfig
from hopeit.app.context import (
    NoopMultiparReader,
    PostprocessHook,
    PostprocessStreamResponseHook,
    PostprocessTestingStreamResponseHook,
    PreprocessFileHook,
    PreprocessHeaders,
    PreprocessHook,
)
from hopeit.testing.apps import create_test_context
from hopeit.testing.hooks import MockField, MockMultipartReader


async def test_noop_multipart_reader_has_no_parts() -> None:
    """Requests that are not multipart have no parts."""
    assert [part async for part in NoopMultiparReader()] == []


def test_preprocess_headers_are_case_insensitive() -> None:
    """``[key]``, ``get`` and ``in`` ignore case."""
    headers = PreprocessHeaders.from_dict({"X-Track-Session-Id": "s1", "Content-Type": "text/plain"})
    assert headers["x-track-session-id"] == "s1" and headers["CONTENT-TYPE"] == "text/plain"
    assert headers.get("content-type") == "text/plain"
    assert headers.get("missing") is None and headers.get("missing", "d") == "d"
    assert "X-TRACK-SESSION-ID" in headers and "other" not in headers and 1 not in headers
    with pytest.raises(KeyError):
        headers["missing"]
    assert PreprocessHeaders().get("any") is None


def test_preprocess_hook_defaults() -> None:
    """Headers are wrapped, no status, a no-op multipart reader."""
    hook = PreprocessHook(headers={"A": "1"}, payload_raw=b"{}")
    assert hook.headers["a"] == "1" and hook.payload_raw == b"{}" and hook.status is None
    assert isinstance(hook.multipart_reader, NoopMultiparReader)
    wrapped = PreprocessHeaders({"B": "2"})
    assert PreprocessHook(headers=wrapped).headers is wrapped
    hook.set_status(400)
    assert hook.status == 400


async def test_files_yields_file_hooks_and_collects_fields() -> None:
    """Files are yielded as file hooks; JSON parts parsed, text parts read; names recorded."""
    reader = MockMultipartReader(
        {"id": "u1", "doc": "doc.txt", "meta": {"k": 1}, "pic": "p.png"}, {"doc": b"x" * 100, "pic": b"png"}
    )
    hook = PreprocessHook(headers={}, multipart_reader=reader)
    seen: List[Any] = []
    async for file_hook in hook.files():
        assert isinstance(file_hook, PreprocessFileHook)
        seen.append((file_hook.name, file_hook.file_name, await file_hook.read(), file_hook.size))
    assert seen == [("doc", "doc.txt", b"x" * 100, 100), ("pic", "p.png", b"png", 3)]
    assert await hook.parsed_args() == {"id": "u1", "doc": "doc.txt", "meta": {"k": 1}, "pic": "p.png"}


async def test_files_can_be_iterated_once() -> None:
    """A second iteration of ``files()`` is an error."""
    hook = PreprocessHook(headers={}, multipart_reader=MockMultipartReader({"a": "1"}, {}))
    assert [f async for f in hook.files()] == []
    with pytest.raises(RuntimeError, match="only once"):
        async for _ in hook.files():
            pass


async def test_parsed_args_reads_the_parts_when_not_iterated() -> None:
    """``parsed_args()`` alone reads every part (files recorded by file name)."""
    hook = PreprocessHook(headers={}, multipart_reader=MockMultipartReader({"a": "1", "f": "f.bin"}, {"f": b"1"}))
    assert await hook.parsed_args() == {"a": "1", "f": "f.bin"}
    assert await hook.parsed_args() == {"a": "1", "f": "f.bin"}


async def test_file_hook_read_modes() -> None:
    """``read(n)`` reads chunks, ``read(0)`` nothing, ``read()`` the rest; ``size`` counts bytes read."""
    hook = PreprocessFileHook(name="f", file_name="f.bin", data=MockField("f", "f.bin", b"abcdefghij"))
    assert await hook.read(3) == b"abc" and hook.size == 3
    assert await hook.read(0) == b"" and hook.size == 3
    assert await hook.read() == b"defghij" and hook.size == 10
    assert await hook.read(4) == b""


async def test_file_hook_read_chunks() -> None:
    """``read_chunks`` yields chunks of at most ``chunk_size`` bytes."""
    hook = PreprocessFileHook(name="f", file_name="f.bin", data=MockField("f", "f.bin", b"abcdefghij"))
    assert [chunk async for chunk in hook.read_chunks(chunk_size=4)] == [b"abcd", b"efgh", b"ij"]
    assert hook.size == 10


@pytest.mark.parametrize("value", ["a\x1bb", "a\x7f", "bell\x07", "cr\r", "lf\nX-Forged: 1", "nul\x00"])
def test_header_values_with_control_characters_are_refused(value: str) -> None:
    """A header HTTP cannot carry is refused when set, naming it, instead of dropping the connection later."""
    hook = PostprocessHook()
    with pytest.raises(ValueError, match="Response header 'X-Path' has a control character"):
        hook.set_header("X-Path", value)
    with pytest.raises(ValueError, match="has a control character"):
        hook.set_header(f"X-{value}", "ok")
    hook.set_header("X-Tab", "a\tb")  # tab is allowed in a header value
    assert hook.headers == {"X-Tab": "a\tb"}


def test_postprocess_hook_setters() -> None:
    """Headers (as text), content type, cookies, deleted cookies, status and file response are recorded."""
    hook = PostprocessHook()
    assert hook.content_type == "application/json" and hook.status is None and hook.request is None
    assert hook.file_response is None and hook.stream_response is None
    hook.set_header("X-Count", 3)
    hook.set_content_type("text/plain")
    hook.set_cookie("session", "abc", "/path", httponly=True)
    hook.del_cookie("old", path="/")
    hook.set_status(999)
    hook.set_file_response(__file__)
    assert hook.headers == {"X-Count": "3"} and hook.content_type == "text/plain"
    assert hook.cookies == {"session": ("abc", ("/path",), {"httponly": True})}
    assert hook.del_cookies == [("old", (), {"path": "/"})]
    assert hook.status == 999 and hook.file_response == __file__


async def test_stream_response_without_request_collects_bytes(mock_app_config: AppConfig) -> None:
    """In tests, a streamed response gathers written bytes in ``resp.data``; ``resp.headers`` add the track ids."""
    context = create_test_context(mock_app_config, "mock_get", track_ids={"track.session_id": "s1"})
    hook = PostprocessHook()
    stream = await hook.prepare_stream_response(context, "attachment; filename=f.txt", "text/plain", 6)
    assert isinstance(stream, PostprocessTestingStreamResponseHook) and hook.stream_response is stream
    await stream.write(b"abc")
    await stream.write(b"def")
    assert isinstance(stream.resp, context_module.TestingResp) and stream.resp.data == b"abcdef"
    assert hook.content_type == "text/plain"
    event_headers = {"Content-Disposition": "attachment; filename=f.txt", "Content-Type": "text/plain",
                     "Content-Length": "6"}
    assert stream.headers == hook.headers == event_headers
    headers = stream.resp.headers
    assert {k: headers[k] for k in event_headers} == event_headers
    assert headers["X-Track-Request-Id"] == "test_request_id"
    assert headers["X-Track-Session-Id"] == "s1"
    assert headers["X-Event-App"] == "mock_app.1x0"
    no_length = await PostprocessHook().prepare_stream_response(context, "inline", "text/csv")
    assert "Content-Length" not in no_length.headers  # type: ignore[attr-defined]


async def test_stream_response_over_http(aiohttp_client: Any, mock_app_config: AppConfig) -> None:
    """With a request, the hook prepares a real aiohttp stream response and writes to the client."""
    context = create_test_context(mock_app_config, "mock_get")

    async def handler(request: web.Request) -> web.StreamResponse:
        hook = PostprocessHook(request)
        stream = await hook.prepare_stream_response(
            context, "attachment; filename=data.bin", "application/octet-stream", 4
        )
        assert isinstance(stream, PostprocessStreamResponseHook)
        await stream.write(b"ab")
        await stream.write(b"cd")
        return stream.resp  # type: ignore[no-any-return]

    app = web.Application()
    app.router.add_get("/download", handler)
    client = await aiohttp_client(app)
    response = await client.get("/download")
    assert response.status == 200
    assert await response.read() == b"abcd"
    assert response.headers["Content-Disposition"] == "attachment; filename=data.bin"
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Length"] == "4"
    assert response.headers["X-Track-Request-Id"] == "test_request_id"
