"""Diagnostic only (``web_bench.py --targets hopeit-compact``): HTTP answers in pydantic's compact JSON.

Put first on ``PYTHONPATH`` of a ``hopeit_server run``, this replaces the writer of 0.24's JSON text
(``", "`` and ``": "`` separators, ``\\uXXXX`` escapes, Python's float digits: the contract of
issue #14) with pydantic's compact output, to measure what that text costs on the same server. It is
never part of the product: the answers it gives differ from 0.24's.
"""

from typing import Any

import hopeit.web.response
from hopeit.dataobjects.payload import Payload

_json_text = hopeit.web.response.json_text


def compact_json(payload: Any, key: str) -> bytes:
    """Data objects as pydantic writes them (compact, UTF-8); anything else as the engine does."""
    if hasattr(payload, "__data_object__") and hasattr(payload, "__dataclass_fields__"):
        return Payload.to_json_bytes(payload, key)
    return _json_text(payload, key)


hopeit.web.response.json_text = compact_json  # type: ignore[assignment]
