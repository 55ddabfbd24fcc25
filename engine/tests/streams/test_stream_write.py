"""One parameter object for writes (``StreamWrite``), with the 0.24 keyword calls kept for callers and managers."""

from typing import Any, Dict, List, Union

import pytest
from hopeit.app.config import Compression, Serialization
from hopeit.streams import StreamCircuitBreaker, StreamEvent, StreamManager, StreamWrite
from hopeit.streams.memory import MemoryStreamManager

from .memory_support import GROUP, STREAM, read, values
from .payloads import Plain

TRACK = {"track.request_id": "r1"}
WRITE = StreamWrite(STREAM, "AUTO", TRACK, {"auth_type": "Unsecured"}, Compression.NONE, Serialization.JSON_UTF8, 5)


class Reader(StreamManager):
    """Every part of a manager but writing."""

    async def connect(self) -> "Reader":
        return self

    async def close(self) -> None:
        pass

    async def ensure_consumer_group(self, *, stream_name: str, consumer_group: str) -> None:
        pass

    async def read_stream(self, **kwargs: Any) -> List[Union[StreamEvent, Exception]]:
        return []

    async def ack_read_stream(self, *, stream_name: str, consumer_group: str, stream_event: StreamEvent) -> int:
        return 1


class LegacyManager(Reader):
    """A stream manager written for hopeit.engine 0.24: ``write_stream`` with keywords, no ``publish``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.written: List[Dict[str, Any]] = []

    async def write_stream(self, **kwargs: Any) -> int:  # type: ignore[override]  # as 0.24 managers may
        self.written.append(kwargs)
        return 1


class LegacyBatchManager(LegacyManager):
    """A manager written before ``publish``: its own ``write_stream_batch``, falling back on the default."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.batches: List[int] = []

    async def write_stream_batch(self, **kwargs: Any) -> int:  # type: ignore[override]
        self.batches.append(len(kwargs["payloads"]))
        written: int = await super().write_stream_batch(**kwargs)
        return written


class Unwritable(Reader):
    """Implements neither ``publish`` nor ``write_stream``."""


def test_a_stream_write_is_the_keywords_of_a_write() -> None:
    assert WRITE.keywords() == {
        "stream_name": STREAM, "queue": "AUTO", "track_ids": TRACK, "auth_info": {"auth_type": "Unsecured"},
        "compression": Compression.NONE, "serialization": Serialization.JSON_UTF8, "target_max_len": 5,
    }
    assert WRITE._replace(queue="high").queue == "high" and WRITE.queue == "AUTO"  # immutable: copies change


async def test_keyword_calls_and_publish_write_the_same_messages(address: str) -> None:
    manager = await MemoryStreamManager(address=address).connect()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    assert await manager.publish(WRITE, [Plain(value=1), Plain(value=2)]) == 2
    assert await manager.write_stream(**WRITE.keywords(), payload=Plain(value=3)) == 1
    assert await manager.write_stream_batch(**WRITE.keywords(), payloads=[Plain(value=4)]) == 1
    items = await read(manager)
    assert values(items) == [1, 2, 3, 4]
    assert all(isinstance(e, StreamEvent) and e.track_ids["track.request_id"] == "r1" for e in items)


@pytest.mark.parametrize("through_breaker", [False, True])
async def test_a_0_24_manager_keeps_working(through_breaker: bool) -> None:
    legacy = LegacyManager(address="legacy")
    manager: StreamManager = StreamCircuitBreaker(stream_manager=legacy) if through_breaker else legacy
    assert await manager.publish(WRITE, [Plain(value=1), Plain(value=2)]) == 2
    assert await manager.write_stream_batch(**WRITE.keywords(), payloads=[Plain(value=3)]) == 1
    assert await manager.write_stream(**WRITE.keywords(), payload=Plain(value=4)) == 1
    assert [call["payload"].value for call in legacy.written] == [1, 2, 3, 4]
    assert all({k: v for k, v in call.items() if k != "payload"} == WRITE.keywords() for call in legacy.written)


async def test_a_manager_with_its_own_batch_write_gets_the_batch() -> None:
    legacy = LegacyBatchManager(address="legacy")
    breaker = StreamCircuitBreaker(stream_manager=legacy)
    assert await breaker.publish(WRITE, [Plain(value=1), Plain(value=2)]) == 2
    assert legacy.batches == [2] and [call["payload"].value for call in legacy.written] == [1, 2]


async def test_a_manager_that_cannot_write_says_what_to_implement() -> None:
    with pytest.raises(NotImplementedError, match=r"Unwritable cannot write: a stream manager implements publish\(\)"):
        await Unwritable(address="none").write_stream(**WRITE.keywords(), payload=Plain(value=1))


