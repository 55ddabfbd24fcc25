"""Reading a multipart upload within limits, and removing the files of an upload that is refused.

Every byte of the body counts against the event's ``max_body_size``, whatever the part (files,
text fields, part headers, boundaries): the request stream is read through ``_LimitedContent``,
which answers 413 as soon as more bytes than the limit arrived, with or without a
``Content-Length``. A text field is also read in chunks up to ``max_field_size`` (it is held in
memory), and a body may have at most ``max_parts`` parts. A malformed body or part answers 400
naming the problem.

Files saved through ``hopeit.toolkit.web.save_multipart_attachment`` are recorded on their file
hook (``PreprocessFileHook.record_saved``); when the request is refused (an error, or a status of
400 or more) the route calls ``Upload.discard`` and they are removed.
"""

import asyncio
import base64
import binascii
import json
import os
from encodings import normalize_encoding
from encodings.aliases import aliases as _charset_aliases
from typing import Any, List, NamedTuple, Optional

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.multipart import BodyPartReader, MultipartReader, parse_content_disposition
from hopeit.app.context import PreprocessFileHook
from hopeit.app.errors import BadRequest
from hopeit.web.request import PayloadTooLarge

__all__ = [
    "DEFAULT_MAX_FIELD_SIZE",
    "DEFAULT_MAX_PARTS",
    "DEFAULT_MAX_UPLOAD_SIZE",
    "MultipartLimits",
    "Upload",
]

#: Largest multipart body accepted, unless the event sets ``max_body_size``.
DEFAULT_MAX_UPLOAD_SIZE = 100 * 1024 * 1024
#: Largest text (or JSON) field of a multipart body, unless the event sets ``max_field_size``.
DEFAULT_MAX_FIELD_SIZE = 1024 * 1024
#: Most parts (fields and files) of a multipart body, unless the event sets ``max_parts``.
DEFAULT_MAX_PARTS = 1000

#: What aiohttp raises for a body that does not parse as multipart (or ends too soon); 3.10 asserts.
_MALFORMED = (ValueError, RuntimeError, LookupError, AssertionError, HttpProcessingError)
#: Bytes read at a time from a text field.
_FIELD_CHUNK = 65536
#: Smallest chunk asked of aiohttp, which needs room for a boundary (70 characters at most) in it.
_MIN_CHUNK = 128
#: Charset names Python knows (normalized). Only these are looked up: Python caches every name it
#: fails to find, so looking up whatever a client sends would grow the server with each new name.
_KNOWN_CHARSETS = frozenset(_charset_aliases) | frozenset(_charset_aliases.values())


class MultipartLimits(NamedTuple):
    """Limits of one event's multipart requests: body bytes, bytes per text field, parts."""

    body: int = DEFAULT_MAX_UPLOAD_SIZE
    field: int = DEFAULT_MAX_FIELD_SIZE
    parts: int = DEFAULT_MAX_PARTS


class _LimitedContent:
    """The request body stream, refusing the request (413) once more than ``limit`` bytes arrived.

    aiohttp's multipart reader reads through it; anything it does not override goes to the stream.
    ``total_bytes`` counts what the client sent so far (buffered included), so the check is one
    comparison per read.
    """

    __slots__ = ("_content", "_limit")

    def __init__(self, content: Any, limit: int) -> None:
        self._content = content
        self._limit = limit

    def _check(self) -> None:
        if getattr(self._content, "total_bytes", 0) > self._limit:
            raise PayloadTooLarge(self._limit)

    async def read(self, n: int = -1) -> bytes:
        data: bytes = await self._content.read(n)
        self._check()
        return data

    async def readline(self, **kwargs: Any) -> bytes:
        line: bytes = await self._content.readline(**kwargs)
        self._check()
        return line

    async def readany(self) -> bytes:
        data: bytes = await self._content.readany()
        self._check()
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._content, name)


def _malformed(exc: BaseException) -> BadRequest:
    return BadRequest(f"Malformed multipart body: {exc or type(exc).__name__}")


class _LimitedPart:
    """A part of the body: chunks read with malformed input answered 400, text fields read within a limit.

    Other attributes and methods are those of aiohttp's ``BodyPartReader`` (reads through them
    still count against the body limit).
    """

    __slots__ = ("_max_field", "_part", "_pending", "filename", "headers", "name")

    def __init__(self, part: BodyPartReader, name: str, max_field: int) -> None:
        self._part = part
        self._max_field = max_field
        self._pending = b""
        self.name = name
        self.filename: Optional[str] = part.filename
        self.headers = part.headers

    async def read_chunk(self, size: int = BodyPartReader.chunk_size) -> bytes:
        """Next chunk of the part of at most ``size`` bytes, ``b""`` at its end."""
        if size <= 0:
            size = BodyPartReader.chunk_size
        if not self._pending:
            try:
                # aiohttp fails on chunks smaller than the boundary: ask for more, keep the rest
                self._pending = await self._part.read_chunk(max(size, _MIN_CHUNK))
            except _MALFORMED as exc:
                raise _malformed(exc) from None
        chunk, self._pending = self._pending[:size], self._pending[size:]
        return chunk

    async def _field_bytes(self) -> bytes:
        data = bytearray()
        chunk = await self.read_chunk(_FIELD_CHUNK)
        while chunk:
            data += chunk
            if len(data) > self._max_field:
                raise PayloadTooLarge(
                    self._max_field, f"Multipart field {self.name!r} too large: the limit is {self._max_field} bytes"
                )
            chunk = await self.read_chunk(_FIELD_CHUNK)
        return self._transfer_decoded(bytes(data))

    def _transfer_decoded(self, data: bytes) -> bytes:
        # Content-Encoding (gzip...) is ignored, as RFC 7578 says: decompressing could turn a small
        # field into a huge one. Transfer encodings only shrink the data.
        encoding = self.headers.get("Content-Transfer-Encoding", "").strip().lower()
        if encoding in ("", "binary", "8bit", "7bit"):
            return data
        try:
            if encoding == "base64":
                return base64.b64decode(data, validate=False)
            if encoding == "quoted-printable":
                return binascii.a2b_qp(data)
        except (ValueError, binascii.Error) as exc:
            raise BadRequest(f"Multipart field {self.name!r} is not valid {encoding}: {exc}") from None
        raise BadRequest(f"Multipart field {self.name!r} has an unknown Content-Transfer-Encoding {encoding!r}")

    async def text(self) -> str:
        """The field as text, in the charset of its ``Content-Type`` (default UTF-8).

        :raises PayloadTooLarge: the field is over the event's ``max_field_size``.
        :raises BadRequest: unknown charset, or bytes that are not text in it.
        """
        data = await self._field_bytes()
        charset = self._part.get_charset(default="utf-8")
        unknown = BadRequest(f"Multipart field {self.name!r} has an unknown charset {charset!r}")
        if normalize_encoding(charset).lower() not in _KNOWN_CHARSETS:
            raise unknown
        try:
            return data.decode(charset)
        except UnicodeDecodeError as exc:
            raise BadRequest(f"Multipart field {self.name!r} is not valid {charset} text: {exc.reason} "
                             f"at byte {exc.start}") from None
        except LookupError:  # a codec that is not a text encoding (rot13, zlib...)
            raise unknown from None

    async def json(self) -> Any:
        """The field parsed as JSON (``None`` when empty).

        :raises BadRequest: the field is not valid JSON (or not text); see ``text``.
        """
        text = await self.text()
        if not text:
            return None
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise BadRequest(f"Multipart field {self.name!r} is not valid JSON: {exc}") from None

    def at_eof(self) -> bool:
        """Whether the part was read to its end."""
        return not self._pending and self._part.at_eof()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._part, name)


class _LimitedReader:
    """The parts of the body, at most ``limits.parts`` of them, each a named form field or file."""

    __slots__ = ("_content", "_count", "_limits", "_reader")

    def __init__(self, reader: MultipartReader, content: _LimitedContent, limits: MultipartLimits) -> None:
        self._reader = reader
        self._content = content
        self._limits = limits
        self._count = 0

    def __aiter__(self) -> "_LimitedReader":
        return self

    async def __anext__(self) -> _LimitedPart:
        try:
            part = await self._reader.next()
        except _MALFORMED as exc:
            raise _malformed(exc) from None
        if part is None:
            raise StopAsyncIteration
        self._count += 1
        if self._count > self._limits.parts:
            raise PayloadTooLarge(
                self._limits.parts, f"Too many parts in the multipart body: the limit is {self._limits.parts}"
            )
        if not isinstance(part, BodyPartReader):
            nested = _part_name(part.headers.get("Content-Disposition", ""))
            raise BadRequest(f"Multipart part {nested!r} is itself multipart: nested parts are not accepted")
        name = part.name
        if not name and self._content.at_eof():  # aiohttp takes the end of the body for the end of the headers
            raise BadRequest("Malformed multipart body: it ends within the headers of a part")
        if not name:
            raise BadRequest("Multipart part without a name: each part needs "
                             "'Content-Disposition: form-data; name=\"...\"'")
        return _LimitedPart(part, name, self._limits.field)


def _part_name(disposition: str) -> str:
    """The ``name`` of a ``Content-Disposition`` value, for messages about parts that have no reader name."""
    _, params = parse_content_disposition(disposition or None)
    return str(params.get("name", ""))


def _remove(paths: List[str]) -> List[str]:
    failed = []
    for path in paths:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError:
            failed.append(path)
    return failed


class Upload:
    """One multipart request: its body read within the event's limits, and the files saved from it."""

    def __init__(self, request: web.Request, limits: MultipartLimits) -> None:
        self.request = request
        self.limits = limits
        #: file hooks handed to ``__preprocess__``, with the paths their files were saved to
        self.file_hooks: List[PreprocessFileHook] = []

    def reader(self) -> _LimitedReader:
        """The parts of the body.

        :raises PayloadTooLarge: the declared ``Content-Length`` is over the limit already.
        :raises BadRequest: the request is not multipart, or has no boundary.
        """
        length = self.request.content_length
        if length is not None and length > self.limits.body:
            raise PayloadTooLarge(self.limits.body)
        content = _LimitedContent(self.request.content, self.limits.body)
        try:
            reader = MultipartReader(self.request.headers, content)  # type: ignore[arg-type]
        except (AssertionError, ValueError, KeyError) as exc:
            raise BadRequest(f"Expected a multipart/form-data request: {exc}") from None
        return _LimitedReader(reader, content, self.limits)

    def file_hook(self, *, name: str, file_name: str, data: Any) -> PreprocessFileHook:
        """File hook factory of the ``PreprocessHook``: each hook is kept, to find the files saved."""
        hook = PreprocessFileHook(name=name, file_name=file_name, data=data)
        self.file_hooks.append(hook)
        return hook

    async def discard(self) -> List[str]:
        """Remove the files saved from this upload; returns those that could not be removed."""
        paths = [path for hook in self.file_hooks for path in hook.saved_paths]
        if not paths:
            return []
        return await asyncio.get_running_loop().run_in_executor(None, _remove, paths)
