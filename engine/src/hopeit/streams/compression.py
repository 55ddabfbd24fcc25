"""Compression of stream message payloads, one function pair per ``Compression`` value.

Each codec's module is imported when a stream first uses it: a server whose streams are not
compressed (the default) loads none of them.
"""

import zlib
from typing import Callable, Dict, Tuple

from hopeit.app.config import Compression

__all__ = ["compress", "decompress"]

_Codec = Tuple[Callable[[bytes], bytes], Callable[[bytes], bytes]]


def _lz4(level: int) -> _Codec:
    try:
        import lz4.frame
    except ImportError as exc:  # pragma: no cover - lz4 is a dependency, but may be removed
        raise RuntimeError("lz4 compression needs the lz4 package: pip install lz4") from exc
    return (lambda data: lz4.frame.compress(data, compression_level=level)), lz4.frame.decompress


def _codecs(compression: Compression) -> _Codec:
    name, _, level_text = compression.value.partition(":")
    level = int(level_text) if level_text else None
    if name == "none":
        return (lambda data: data), (lambda data: data)
    if name == "lz4":
        return _lz4(3 if level is None else level)
    if name == "zip":
        zlevel = 6 if level is None else level
        return (lambda data: zlib.compress(data, zlevel)), zlib.decompress
    if name == "gzip":
        import gzip

        glevel = 9 if level is None else level
        return (lambda data: gzip.compress(data, glevel)), gzip.decompress
    if name == "bz2":
        import bz2

        blevel = 9 if level is None else level
        return (lambda data: bz2.compress(data, blevel)), bz2.decompress
    import lzma

    return lzma.compress, lzma.decompress


_cache: Dict[Compression, _Codec] = {}


def _codec(compression: Compression) -> _Codec:
    found = _cache.get(compression)
    if found is None:
        found = _cache[compression] = _codecs(compression)
    return found


def compress(data: bytes, compression: Compression) -> bytes:
    """Compress ``data`` with the algorithm and level named by ``compression``."""
    if compression is Compression.NONE:
        return data
    return _codec(compression)[0](data)


def decompress(data: bytes, compression: Compression) -> bytes:
    """Undo ``compress``."""
    if compression is Compression.NONE:
        return data
    return _codec(compression)[1](data)
