"""Constants and helpers shared by the in-process stream manager tests."""

from typing import Any, List, Sequence, Union

from hopeit.app.config import Compression, Serialization
from hopeit.streams import StreamEvent, StreamManager, _memory_store
from hopeit.streams.memory import MemoryStreamManager
from hopeit.streams.messages import payload_type_name

from .payloads import Order, Plain

STREAM = "app.events.stream"
GROUP = "app.events.group"
DATATYPES = {payload_type_name(Order): Order, payload_type_name(Plain): Plain}
TRACK = {"track.request_id": "req-1", "track.request_ts": "2024-05-06T07:08:09+00:00"}
AUTH = {"auth_type": "Unsecured"}

Result = List[Union[StreamEvent, Exception]]
Items = Sequence[Union[StreamEvent, Exception]]


async def write(manager: StreamManager, *payloads: Any, stream: str = STREAM, target_max_len: int = 0) -> int:
    return await manager.write_stream_batch(
        stream_name=stream,
        queue="AUTO",
        payloads=list(payloads),
        track_ids=TRACK,
        auth_info=AUTH,
        compression=Compression.LZ4,
        serialization=Serialization.JSON_BASE64,
        target_max_len=target_max_len,
    )


async def read(
    manager: StreamManager,
    group: str = GROUP,
    *,
    stream: str = STREAM,
    batch_size: int = 100,
    timeout: int = 10,
    offset: str = ">",
    batch_interval: int = 60000,
) -> Result:
    return await manager.read_stream(
        stream_name=stream,
        consumer_group=group,
        datatypes=DATATYPES,
        track_headers=["track.request_id", "track.request_ts"],
        offset=offset,
        batch_size=batch_size,
        timeout=timeout,
        batch_interval=batch_interval,
    )


def events(result: Items) -> List[StreamEvent]:
    assert all(isinstance(item, StreamEvent) for item in result), result
    return [item for item in result if isinstance(item, StreamEvent)]


def values(result: Result) -> List[int]:
    return [event.payload.value for event in events(result)]


async def ack(manager: StreamManager, result: Items, group: str = GROUP, stream: str = STREAM) -> List[int]:
    return [
        await manager.ack_read_stream(stream_name=stream, consumer_group=group, stream_event=event)
        for event in events(result)
    ]


def blocked_readers(manager: MemoryStreamManager, stream: str = STREAM) -> int:
    """How many reads are blocked waiting for messages on ``stream`` (at the manager's address).

    Tests wait for this before writing or closing, instead of sleeping while the reader gets there.
    """
    found = _memory_store.STREAMS.get(manager.address, {}).get(stream)
    return 0 if found is None else len(found.waiters)
