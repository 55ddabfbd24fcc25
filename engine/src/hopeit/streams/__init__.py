"""Streams: what apps, the engine and stream managers import (``hopeit.streams``, as in 0.24).

The contract itself (``StreamManager``, ``StreamEvent``, ``StreamWrite``, the errors) lives in
``hopeit.contracts.streams``, at the bottom of the engine, so that the circuit breaker and the
stream managers build on it without import cycles; it is re-exported here with the engine's
``StreamCircuitBreaker``. The embedded stream manager is ``hopeit.streams.memory``; messages are
encoded and decoded by ``hopeit.streams.messages``; ``hopeit.streams.circuit`` is the one circuit
breaker of hopeit.
"""

from hopeit.contracts.streams import (
    SAFE_SERIALIZATIONS,
    MessageRefusedError,
    NoStreamManager,
    StreamBusyError,
    StreamConfigError,
    StreamEvent,
    StreamGroupStats,
    StreamItem,
    StreamManager,
    StreamOSError,
    StreamsConfig,
    StreamWrite,
    stream_auth_info,
)
from hopeit.streams.circuit_breaker import StreamCircuitBreaker

__all__ = [
    "SAFE_SERIALIZATIONS",
    "MessageRefusedError",
    "NoStreamManager",
    "StreamBusyError",
    "StreamCircuitBreaker",
    "StreamConfigError",
    "StreamEvent",
    "StreamGroupStats",
    "StreamItem",
    "StreamManager",
    "StreamOSError",
    "StreamWrite",
    "StreamsConfig",
    "stream_auth_info",
]
