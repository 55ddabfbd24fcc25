import bz2
import lzma
import zlib

import lz4.frame
import pytest
from hopeit.app.config import Compression
from hopeit.server import compression as server_compression
from hopeit.streams.compression import compress, decompress

DATA = b'{"id": "order-1", "items": ["a", "b", "c"]}' * 50


@pytest.mark.parametrize("compression", list(Compression), ids=[c.value for c in Compression])
def test_round_trip(compression: Compression) -> None:
    """Every compression gives back the original bytes, and shrinks repetitive data (except none)."""
    packed = compress(DATA, compression)
    assert decompress(packed, compression) == DATA
    if compression is Compression.NONE:
        assert packed == DATA
    else:
        assert len(packed) < len(DATA)


@pytest.mark.parametrize("compression", list(Compression), ids=[c.value for c in Compression])
def test_server_module_is_the_same_codec(compression: Compression) -> None:
    """hopeit.server.compression (0.24 import path) reads and writes what hopeit.streams.compression does."""
    assert server_compression.decompress(compress(DATA, compression), compression) == DATA
    assert decompress(server_compression.compress(DATA, compression), compression) == DATA


@pytest.mark.parametrize(
    "compression, expected",
    [
        (Compression.LZ4, lz4.frame.compress(DATA, compression_level=3)),
        (Compression.LZ4_MIN, lz4.frame.compress(DATA, compression_level=0)),
        (Compression.LZ4_MAX, lz4.frame.compress(DATA, compression_level=16)),
        (Compression.ZIP, zlib.compress(DATA, 6)),
        (Compression.ZIP_MIN, zlib.compress(DATA, 1)),
        (Compression.ZIP_MAX, zlib.compress(DATA, 9)),
        (Compression.BZ2, bz2.compress(DATA, 9)),
        (Compression.BZ2_MIN, bz2.compress(DATA, 1)),
        (Compression.LZMA, lzma.compress(DATA)),
    ],
    ids=lambda v: v.value if isinstance(v, Compression) else "",
)
def test_algorithm_and_default_level(compression: Compression, expected: bytes) -> None:
    """Each value maps to its algorithm, with the spec's default level when none is named."""
    assert compress(DATA, compression) == expected


@pytest.mark.parametrize(
    "compression, level", [(Compression.GZIP, 9), (Compression.GZIP_MIN, 1), (Compression.GZIP_MAX, 9)]
)
def test_gzip_level(compression: Compression, level: int) -> None:
    """gzip defaults to level 9 (its header flags the level: 2 = best, 4 = fastest)."""
    packed = compress(DATA, compression)
    assert packed[:2] == b"\x1f\x8b"
    assert packed[8] == (2 if level == 9 else 4)
