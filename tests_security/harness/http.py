"""HTTP by hand: requests no well-behaved client would send, read back byte for byte.

``exchange`` sends a request as raw bytes and reads one response. ``stream_upload`` sends a
body while reading the answer, so a server that answers (413) before the body ends is seen doing
so, and the client never has to hold the body in memory. ``multipart`` builds form bodies part
by part, including broken ones.
"""

from __future__ import annotations

import asyncio
import json
import socket
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Dict, Iterable, List, Optional, Tuple

__all__ = ["BOUNDARY", "Part", "RawResponse", "exchange", "multipart", "read_response", "request_head", "stream_upload"]

BOUNDARY = "securitysuiteboundary7MA4YWxk"


@dataclass
class RawResponse:
    """Status, headers (lower-case names) and body of a response."""

    status: int
    headers: Dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)

    def message(self) -> str:
        """``msg`` of an engine error body, else the body as text."""
        try:
            data = self.json()
        except ValueError:
            return self.body.decode(errors="replace")
        return str(data.get("msg", data)) if isinstance(data, dict) else str(data)


@dataclass
class Part:
    """One part of a multipart body: a text field, or a file when ``filename`` is set."""

    name: str
    data: bytes
    filename: Optional[str] = None
    content_type: Optional[str] = None
    headers: List[Tuple[str, str]] = field(default_factory=list)

    def head(self) -> bytes:
        """The part's delimiter and headers, up to the blank line before its data."""
        disposition = f'form-data; name="{self.name}"'
        if self.filename is not None:
            disposition += f'; filename="{self.filename}"'
        lines = [f"--{BOUNDARY}", f"Content-Disposition: {disposition}"]
        if self.content_type is not None:
            lines.append(f"Content-Type: {self.content_type}")
        lines += [f"{name}: {value}" for name, value in self.headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()


def multipart(parts: Iterable[Part], *, close: bool = True) -> bytes:
    """A ``multipart/form-data`` body of ``parts``; ``close=False`` leaves out the closing delimiter."""
    body = b"".join(part.head() + part.data + b"\r\n" for part in parts)
    return body + (f"--{BOUNDARY}--\r\n".encode() if close else b"")


def _parse_head(head: bytes) -> Tuple[int, Dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: Dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name:
            headers[name.strip().lower()] = value.strip()
    return status, headers


async def read_response(reader: asyncio.StreamReader) -> RawResponse:
    """One response from ``reader`` (Content-Length or chunked body; until EOF otherwise)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status, headers = _parse_head(head[:-4])
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    else:
        body = await reader.read()
    return RawResponse(status, headers, body)


async def exchange(port: int, request: bytes, *, timeout: float = 30.0) -> RawResponse:
    """Send ``request`` (raw bytes) to 127.0.0.1:``port`` and read one response."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(read_response(reader), timeout)
    finally:
        writer.close()


def request_head(method: str, path: str, port: int, headers: Dict[str, str], length: Optional[int]) -> bytes:
    """Request line and headers (``Content-Length`` when ``length`` is given), up to the blank line."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def stream_upload(
    port: int, path: str, headers: Dict[str, str], chunks: AsyncIterator[bytes], length: int, *,
    timeout: float = 120.0,
) -> Tuple[RawResponse, int]:
    """POST a body of ``length`` bytes made of ``chunks`` while reading the answer.

    Returns the response and how many body bytes were sent before it came (the server may answer
    and close long before the body ends: sending then stops).
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.transport.set_write_buffer_limits(high=1 << 20)
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    sent = 0

    async def send() -> None:
        nonlocal sent
        writer.write(request_head("POST", path, port, headers, length))
        try:
            async for chunk in chunks:
                writer.write(chunk)
                await writer.drain()
                sent += len(chunk)
        except ConnectionError:
            pass  # the server answered and closed: the rest of the body is not wanted

    sending = asyncio.ensure_future(send())
    try:
        response = await asyncio.wait_for(read_response(reader), timeout)
    finally:
        sending.cancel()
        await asyncio.gather(sending, return_exceptions=True)
        writer.close()
    return response, sent
