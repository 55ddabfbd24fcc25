"""Command packing, and batching of acks and writes."""

import asyncio
from typing import Tuple, Union

import pytest
import redis.asyncio as aioredis
from hopeit.redis_streams._connection import HIREDIS_PACKING, _packing_class
from hopeit.streams import StreamOSError
from redis.asyncio.connection import Connection
from redis.exceptions import DataError
from redis_streams_support import ManagerFactory, publish, read_events, something


@pytest.mark.parametrize(
    "args",
    [
        ("XADD", "s", "*", "id", "x", "payload", b"\x00\xff bytes", "event_ts", ""),
        ("CONFIG GET", "maxmemory"),
        (b"CLIENT SETNAME", "me"),
        ("XAUTOCLAIM", "s", "g", "c", 120000, "0-0", "COUNT", 10),
        ("SET", "k", "é"),
    ],
)
def test_fast_packing_sends_the_same_bytes(args: Tuple[Union[str, bytes, int], ...]) -> None:
    assert HIREDIS_PACKING
    python = Connection()
    fast = _packing_class(Connection)()
    assert b"".join(fast.pack_command(*args)) == b"".join(python.pack_command(*args))


def test_fast_packing_leaves_bad_arguments_to_redis_py() -> None:
    fast = _packing_class(Connection)()
    with pytest.raises(DataError):
        fast.pack_command("SET", "k", True)


async def test_acks_of_one_turn_share_an_xack(make_manager: ManagerFactory, stream_name: str) -> None:
    manager = await make_manager()
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    await publish(manager, stream_name, [something(1), something(2)])
    one, two = await read_events(manager, stream_name, "g")
    results = await asyncio.gather(
        *(manager.ack_read_stream(stream_name=stream_name, consumer_group="g", stream_event=e) for e in (one, two, one))
    )
    assert results == [1, 1, 0]  # three acks, two pending messages


async def test_command_errors_reach_only_their_caller(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str
) -> None:
    manager = await make_manager()
    await raw.set(stream_name + ".wrong", "not a stream")
    good, bad = await asyncio.gather(
        publish(manager, stream_name, [something(1)]),
        publish(manager, stream_name + ".wrong", [something(2)]),
        return_exceptions=True,
    )
    assert good is None
    assert isinstance(bad, StreamOSError) and "refused" in str(bad) and "WRONGTYPE" in str(bad)
    assert await raw.xlen(stream_name) == 1

