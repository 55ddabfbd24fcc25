"""Stream payload compression, as hopeit.engine 0.24 code imports it.

Thin aliases of ``hopeit.streams.compression``: ``Compression.LZ4`` (level 3) by default in apps,
``zip`` (level 6), ``gzip`` and ``bz2`` (level 9), ``lzma``, or ``none``; a ``:N`` suffix picks the level.
"""

from hopeit.app.config import Compression
from hopeit.streams import compression as _streams_compression

__all__ = ["compress", "decompress"]


def compress(data: bytes, compression: Compression) -> bytes:
    """Compress ``data`` with the algorithm and level named by ``compression``."""
    return _streams_compression.compress(data, compression)


def decompress(data: bytes, compression: Compression) -> bytes:
    """Undo ``compress``: decompress ``data`` written with ``compression``."""
    return _streams_compression.decompress(data, compression)
