"""``StreamManager`` methods a subclass does not implement raise ``NotImplementedError`` when called, as in 0.24.

So a partial subclass (a test double implementing only ``write_stream``) can be instantiated; plugin
discovery still refuses, when it loads one, a stream manager class that misses methods.
"""

from typing import Any, Dict, List

import pytest
from hopeit.app.config import Compression, Serialization
from hopeit.contracts.discovery import load_stream_manager_class
from hopeit.streams import StreamEvent, StreamManager


class WriteOnly(StreamManager):
    """A 0.24-style test double: it records what is written, nothing else."""

    def __init__(self) -> None:
        self.written: List[Dict[str, Any]] = []

    async def write_stream(self, **kwargs: Any) -> int:
        self.written.append(kwargs)
        return 1


class PublishOnly(StreamManager):
    """Implements ``publish`` (ours) instead of ``write_stream`` (0.24), but nothing to read."""

    async def connect(self) -> "PublishOnly":
        return self

    async def close(self) -> None:
        pass

    async def publish(self, write: Any, payloads: Any) -> int:
        return len(payloads)


async def test_partial_subclass_instantiates_and_writes() -> None:
    """A subclass implementing only ``write_stream`` is created without arguments and writes."""
    manager = WriteOnly()  # type: ignore[abstract]  # type checkers flag it; it runs, as in 0.24
    written = await manager.write_stream(
        stream_name="s", queue="AUTO", payload="p", track_ids={}, auth_info={},
        compression=Compression.NONE, serialization=Serialization.JSON_UTF8,
    )
    assert written == 1 and manager.written[0]["stream_name"] == "s"


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("connect", {}),
        ("close", {}),
        ("ensure_consumer_group", {"stream_name": "s", "consumer_group": "g"}),
        (
            "read_stream",
            {"stream_name": "s", "consumer_group": "g", "datatypes": {}, "track_headers": [], "offset": ">",
             "batch_size": 1, "timeout": 1, "batch_interval": 1},
        ),
        ("ack_read_stream", {"stream_name": "s", "consumer_group": "g", "stream_event": StreamEvent(b"1", "q", 1, {})}),
    ],
)
async def test_missing_methods_raise_not_implemented_naming_class_and_method(method: str, kwargs: Any) -> None:
    """Calling a method the subclass lacks raises ``NotImplementedError`` that names the class and method."""
    with pytest.raises(NotImplementedError, match=rf"^WriteOnly\.{method}\(\) is not implemented"):
        await getattr(WriteOnly(), method)(**kwargs)  # type: ignore[abstract]


async def test_base_class_alone_cannot_write() -> None:
    """Neither ``publish`` nor ``write_stream`` implemented: writing says so."""
    with pytest.raises(NotImplementedError, match=r"StreamManager cannot write: a stream manager implements publish"):
        await StreamManager().write_stream(  # type: ignore[abstract]
            stream_name="s", queue="AUTO", payload="p", track_ids={}, auth_info={},
            compression=Compression.NONE, serialization=Serialization.JSON_UTF8,
        )


def test_discovery_refuses_a_stream_manager_missing_methods() -> None:
    """Plugins are checked when loaded: a class missing part of the contract is refused, naming what it misses."""
    with pytest.raises(
        TypeError,
        match=rf"stream manager '{__name__}.WriteOnly' resolves to <class '{__name__}.WriteOnly'>, which does not "
        r"implement connect, close, ensure_consumer_group, read_stream, ack_read_stream \(a StreamManager must\)",
    ):
        load_stream_manager_class(f"{__name__}.WriteOnly")
    with pytest.raises(TypeError, match=r"does not implement ensure_consumer_group, read_stream, ack_read_stream \("):
        load_stream_manager_class(f"{__name__}.PublishOnly")


def test_discovery_accepts_managers_implementing_publish_or_write_stream() -> None:
    """``publish`` (ours) and ``write_stream`` (0.24) each satisfy the write part of the contract."""
    from hopeit.streams.memory import MemoryStreamManager

    assert load_stream_manager_class("hopeit.streams.memory.MemoryStreamManager") is MemoryStreamManager
    assert load_stream_manager_class(f"{__name__}.Complete024") is Complete024


class Complete024(WriteOnly):
    """Every 0.24 method, ``write_stream`` for writing."""

    async def connect(self) -> "Complete024":
        return self

    async def close(self) -> None:
        pass

    async def ensure_consumer_group(self, *, stream_name: str, consumer_group: str) -> None:
        pass

    async def read_stream(self, **kwargs: Any) -> List[Any]:
        return []

    async def ack_read_stream(self, **kwargs: Any) -> int:
        return 0
