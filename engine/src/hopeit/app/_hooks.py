"""Request and response hooks of web events (``__preprocess__`` / ``__postprocess__``)."""

import re
from typing import Any, AsyncIterator, Callable, Dict, List, Mapping, Optional, Tuple, Union

from hopeit.app.names import titlecase
from hopeit.contracts.hooks import BodyPartReaderProtocol, MultipartReaderProtocol

#: Characters HTTP forbids in header fields (RFC 9110 5.5): every C0 control but tab, and DEL.
_FORBIDDEN_HEADER_CHARS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

__all__ = [
    "BodyPartReaderProtocol",
    "MultipartReaderProtocol",
    "NoopMultiparReader",
    "PostprocessHook",
    "PostprocessStreamResponseHook",
    "PostprocessTestingStreamResponseHook",
    "PreprocessFileHook",
    "PreprocessHeaders",
    "PreprocessHook",
    "TestingResp",
]


class NoopMultiparReader:
    """Multipart reader of requests that are not multipart: no parts."""

    def __aiter__(self) -> "NoopMultiparReader":
        return self

    async def __anext__(self) -> Any:
        raise StopAsyncIteration


class PreprocessHeaders:
    """Case-insensitive, read-only view of request headers."""

    __slots__ = ("_headers",)

    def __init__(self, headers: Optional[Mapping[str, str]] = None) -> None:
        self._headers = {k.lower(): v for k, v in (headers or {}).items()}

    @classmethod
    def from_dict(cls, headers: Mapping[str, str]) -> "PreprocessHeaders":
        """Wrap a plain mapping."""
        return cls(headers)

    def __getitem__(self, key: str) -> str:
        return self._headers[key.lower()]

    def get(self, key: str, default: Optional[str] = None) -> Optional[str]:
        """Header value, or ``default``."""
        return self._headers.get(key.lower(), default)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._headers


class PreprocessFileHook:
    """A file being uploaded in a multipart request, read in chunks."""

    def __init__(self, *, name: str, file_name: str, data: Any) -> None:
        self.name = name
        self.file_name = file_name
        self.data = data
        self.size = 0
        #: where this upload was saved (``record_saved``): removed if the request is refused
        self.saved_paths: List[str] = []

    def record_saved(self, path: Any) -> None:
        """Note that this upload is being saved at ``path``.

        When the request is then refused (an error such as 413 or 400, or a response status of
        400 or more) the server removes the file, so a rejected upload leaves nothing behind.
        ``hopeit.toolkit.web.save_multipart_attachment`` calls it; code that saves the file its
        own way can call it too.
        """
        self.saved_paths.append(str(path))

    async def _next_chunk(self, chunk_size: int) -> bytes:
        chunk: bytes = await self.data.read_chunk(chunk_size)
        self.size += len(chunk)
        return chunk

    async def read(self, chunk_size: int = -1) -> bytes:
        """The whole file (``-1``), the next ``chunk_size`` bytes, or ``b""`` for 0."""
        if chunk_size == 0:
            return b""
        if chunk_size > 0:
            return await self._next_chunk(chunk_size)
        parts = []
        chunk = await self._next_chunk(65536)
        while chunk:
            parts.append(chunk)
            chunk = await self._next_chunk(65536)
        return b"".join(parts)

    async def read_chunks(self, *, chunk_size: int) -> AsyncIterator[bytes]:
        """Yield the file in chunks of at most ``chunk_size`` bytes."""
        chunk = await self._next_chunk(chunk_size)
        while chunk:
            yield chunk
            chunk = await self._next_chunk(chunk_size)


class PreprocessHook:
    """What ``__preprocess__`` gets of the request: headers, raw body, multipart fields and files."""

    def __init__(
        self,
        *,
        headers: Union[PreprocessHeaders, Mapping[str, str]],
        payload_raw: Optional[bytes] = None,
        multipart_reader: Optional[Any] = None,
        file_hook_factory: Callable[..., Any] = PreprocessFileHook,
    ) -> None:
        self.headers = headers if isinstance(headers, PreprocessHeaders) else PreprocessHeaders(headers)
        self.payload_raw = payload_raw
        self.multipart_reader = multipart_reader if multipart_reader is not None else NoopMultiparReader()
        self.file_hook_factory = file_hook_factory
        self.status: Optional[int] = None
        self._args: Dict[str, Any] = {}
        self._iterated = False

    def set_status(self, status: int) -> None:
        """Answer with this status instead of running the steps (when not 200)."""
        self.status = status

    async def files(self) -> AsyncIterator[Any]:
        """Iterate the multipart parts once: files are yielded as file hooks, fields are collected."""
        if self._iterated:
            raise RuntimeError("PreprocessHook.files() can be iterated only once")
        self._iterated = True
        async for part in self.multipart_reader:
            if part.filename:
                self._args[part.name] = part.filename
                yield self.file_hook_factory(name=part.name, file_name=part.filename, data=part)
            elif part.headers.get("Content-Type", "").startswith("application/json"):
                self._args[part.name] = await part.json()
            else:
                self._args[part.name] = await part.text()

    async def parsed_args(self) -> Dict[str, Any]:
        """Field name -> value (file name for files); reads the remaining parts if needed."""
        if not self._iterated:
            async for _ in self.files():
                pass
        return self._args


class PostprocessStreamResponseHook:
    """A streamed HTTP response being written by ``__postprocess__``."""

    def __init__(self, resp: Any) -> None:
        self.resp = resp

    async def write(self, data: bytes) -> None:
        """Send ``data`` to the client."""
        await self.resp.write(data)


class TestingResp:
    """Collects what a streamed response writes when running under the test kit: ``headers`` and ``data``."""

    __test__ = False  # not a test class, despite the name

    def __init__(self, headers: Dict[str, str]) -> None:
        self.headers = headers
        self.data = b""

    async def write(self, data: bytes) -> None:
        """Append ``data``."""
        self.data += data


class PostprocessTestingStreamResponseHook(PostprocessStreamResponseHook):
    """Streamed response of tests: bytes end up in ``resp.data``.

    ``headers`` are those the event set; ``resp.headers`` add the track headers, as in 0.24.
    """

    def __init__(self, headers: Dict[str, str], resp_headers: Optional[Dict[str, str]] = None) -> None:
        super().__init__(TestingResp(headers if resp_headers is None else resp_headers))
        self.headers = headers


CookieArgs = Tuple[str, Tuple[Any, ...], Dict[str, Any]]


class PostprocessHook:
    """What ``__postprocess__`` can set on the HTTP response: headers, cookies, status, files, streams."""

    def __init__(self, request: Optional[Any] = None) -> None:
        self.headers: Dict[str, str] = {}
        self.cookies: Dict[str, CookieArgs] = {}
        self.del_cookies: List[Tuple[str, Tuple[Any, ...], Dict[str, Any]]] = []
        self.status: Optional[int] = None
        self.file_response: Optional[str] = None
        self.stream_response: Optional[PostprocessStreamResponseHook] = None
        self.content_type = "application/json"
        self.request = request

    def set_header(self, name: str, value: Any) -> None:
        """Add a response header.

        :raises ValueError: the name or value holds a control character (CR, LF, NUL, ESC, DEL...),
            which HTTP does not allow in headers: the server would otherwise drop the connection
            without any answer when it writes the response.
        """
        text = str(value)
        if _FORBIDDEN_HEADER_CHARS.search(text) or _FORBIDDEN_HEADER_CHARS.search(name):
            raise ValueError(f"Response header {name!r} has a control character in its name or value: {text[:80]!r}")
        self.headers[name] = text

    def set_content_type(self, content_type: str) -> None:
        """Content type of the body (``text/plain`` and others write ``str(result)``)."""
        self.content_type = content_type

    def set_cookie(self, name: str, value: str, *args: Any, **kwargs: Any) -> None:
        """Set a cookie; extra arguments go to aiohttp's ``set_cookie``."""
        self.cookies[name] = (value, args, kwargs)

    def del_cookie(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Delete a cookie on the client."""
        self.del_cookies.append((name, args, kwargs))

    def set_status(self, status: int) -> None:
        """HTTP status of the response."""
        self.status = status

    def set_file_response(self, path: Any) -> None:
        """Answer with the file at ``path`` (content type from ``set_content_type``)."""
        self.file_response = str(path)

    async def prepare_stream_response(
        self,
        context: Any,
        content_disposition: str,
        content_type: str,
        content_length: Optional[int] = None,
    ) -> PostprocessStreamResponseHook:
        """Start a streamed response; write to what it returns."""
        event_headers = {"Content-Disposition": content_disposition, "Content-Type": content_type}
        if content_length is not None:
            event_headers["Content-Length"] = str(content_length)
        self.headers.update(event_headers)  # as in 0.24: the hook shows what the event set
        headers = dict(event_headers)
        for key, value in context.track_ids.items():
            headers["X-" + titlecase(key).replace(" ", "-")] = value
        self.content_type = content_type
        if self.request is None:
            self.stream_response = PostprocessTestingStreamResponseHook(event_headers, headers)
            return self.stream_response
        from aiohttp import web  # web extra: only reached when serving a request

        resp = web.StreamResponse(headers=headers)
        if content_length is not None:
            resp.content_length = content_length
        await resp.prepare(self.request)
        self.stream_response = PostprocessStreamResponseHook(resp)
        return self.stream_response
