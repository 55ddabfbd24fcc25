"""The protocols of what web hooks read: a multipart body and its parts.

aiohttp's ``MultipartReader`` and ``BodyPartReader`` match them, and so do the test kit's mocks
(``hopeit.testing.hooks``); apps import them from ``hopeit.app.context``.
"""

from typing import Any, AsyncIterator, Mapping, Optional

try:
    from typing import Protocol
except ImportError:  # pragma: no cover
    from typing_extensions import Protocol  # type: ignore[assignment]

__all__ = ["BodyPartReaderProtocol", "MultipartReaderProtocol"]


class BodyPartReaderProtocol(Protocol):
    """One part of a multipart body (aiohttp's ``BodyPartReader`` matches it)."""

    name: Optional[str]
    filename: Optional[str]
    headers: Mapping[str, str]

    async def read_chunk(self, size: int = ...) -> bytes:
        """Next chunk of the part, ``b""`` at the end."""
        ...

    async def text(self) -> str:
        """Whole part as text."""
        ...

    async def json(self) -> Any:
        """Whole part parsed as JSON."""
        ...


class MultipartReaderProtocol(Protocol):
    """A multipart body: an async iterator of parts."""

    def __aiter__(self) -> AsyncIterator[Any]:
        """Iterate over the parts."""
        ...
