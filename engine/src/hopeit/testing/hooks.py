"""Stand-ins for multipart requests in tests of ``__preprocess__`` hooks."""

import json
from typing import Any, AsyncIterator, Dict, Iterator, Optional, Union

__all__ = ["MockField", "MockFileHook", "MockMultipartReader"]


class MockField:
    """One multipart part: a text or JSON field, or a file when ``file_data`` is given."""

    def __init__(self, name: str, value: Union[str, Dict[str, Any]], file_data: Optional[bytes] = None,
                 headers: Optional[Dict[str, str]] = None) -> None:
        self.name = name
        self.value = value
        self.file_data = file_data
        self.filename = value if file_data is not None and isinstance(value, str) else None
        if file_data is not None:
            content_type = "application/octect-stream"  # (sic) as hopeit.engine 0.24 tests expect
        elif isinstance(value, dict):
            content_type = "application/json"
        else:
            content_type = "text/plain"
        self.headers = headers if headers is not None else {"Content-Type": content_type}
        self._offset = 0

    async def text(self) -> str:
        """The field value as text."""
        return self.value if isinstance(self.value, str) else json.dumps(self.value)

    async def json(self) -> Any:
        """The field value parsed as JSON."""
        return self.value if isinstance(self.value, dict) else json.loads(self.value)

    async def read_chunk(self, size: int = 8192) -> bytes:
        """Next chunk of the file data (``b""`` at the end)."""
        data = self.file_data or b""
        chunk = data[self._offset:self._offset + size]
        self._offset += len(chunk)
        return chunk


class MockFileHook:
    """A file hook over bytes (or a ``MockField``), read in chunks like an upload."""

    def __init__(self, *, name: str, file_name: str, data: Union[bytes, MockField]) -> None:
        self.name = name
        self.file_name = file_name
        self.data = (data.file_data or b"") if isinstance(data, MockField) else data
        self.size = 0

    async def read_chunks(self, *, chunk_size: int = 16) -> AsyncIterator[bytes]:
        """Yield the data in chunks of ``chunk_size`` bytes."""
        for start in range(0, len(self.data), chunk_size):
            chunk = self.data[start:start + chunk_size]
            self.size += len(chunk)
            yield chunk

    async def read(self, chunk_size: int = -1) -> bytes:
        """The rest of the data (``-1``) or the next ``chunk_size`` bytes."""
        end = len(self.data) if chunk_size < 0 else self.size + chunk_size
        chunk = self.data[self.size:end]
        self.size += len(chunk)
        return chunk


class MockMultipartReader:
    """Multipart body made of ``fields`` (name -> value or file name) and ``attachments`` (name -> bytes)."""

    def __init__(self, fields: Dict[str, Any], attachments: Dict[str, bytes]) -> None:
        self.parts = [MockField(name, value, attachments.get(name)) for name, value in fields.items()]

    def __iter__(self) -> Iterator[MockField]:
        return iter(self.parts)

    def __aiter__(self) -> AsyncIterator[MockField]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[MockField]:
        for part in self.parts:
            yield part
