"""Payloads and helpers shared by the redis-streams tests."""

import asyncio
import os
import stat
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Protocol, Sequence, Union

from hopeit.app.config import Compression, Serialization
from hopeit.dataobjects import dataobject
from hopeit.redis_streams import RedisStreamManager
from hopeit.streams import StreamEvent, StreamManager
from hopeit.streams.messages import payload_type_name
from hopeit.testing.redis import RedisServer, find_redis_server_binary
from hopeit.testing.waiting import wait_until


class ManagerFactory(Protocol):
    """The ``make_manager`` fixture: a connected manager (``connect=False``: not yet), ``settings`` as in config."""

    def __call__(self, url: str = "", connect: bool = True, **settings: Any) -> Awaitable[RedisStreamManager]: ...


class Color(str, Enum):
    RED = "red"
    BLUE = "blue"


@dataobject
@dataclass
class Part:
    name: str
    weight: float = 0.0


@dataobject(event_id="id", event_ts="ts")
@dataclass
class Something:
    id: str
    ts: datetime
    value: int = 0
    price: Decimal = Decimal("0")
    color: Color = Color.RED
    tags: List[str] = field(default_factory=list)
    extra: Dict[str, Any] = field(default_factory=dict)
    part: Optional[Part] = None
    parts: List[Part] = field(default_factory=list)


@dataobject
@dataclass
class Minimal:
    value: str


@dataobject(event_id="info.key", event_ts="info.when")
@dataclass
class Info:
    key: str
    when: str


@dataobject(event_id="info.key", event_ts="info.when")
@dataclass
class Nested:
    info: Info
    blob: str = ""


DATATYPES: Dict[str, type] = {payload_type_name(t): t for t in (Something, Minimal, Nested)}
TRACK_HEADERS = ["track.request_id", "track.request_ts", "track.session_id"]
TRACK_IDS = {
    "track.operation_id": "op-1",
    "track.request_id": "req-1",
    "track.request_ts": "2024-01-01T00:00:00+00:00",
    "track.session_id": "sess-1",
    "event.app": "test_app.1x0",
}
AUTH_INFO = {"auth_type": "Unsecured", "allowed": "true"}


def something(i: int) -> Something:
    return Something(
        id=f"id-{i}",
        ts=datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        value=i,
        price=Decimal("12.50"),
        color=Color.BLUE,
        tags=["a", "b"],
        extra={"k": [1, 2], "n": None},
        part=Part(name="p", weight=1.5),
        parts=[Part(name="q")],
    )


async def publish(
    manager: StreamManager,
    stream_name: str,
    payloads: List[Any],
    *,
    queue: str = "AUTO",
    compression: Compression = Compression.NONE,
    serialization: Serialization = Serialization.JSON_UTF8,
) -> None:
    for payload in payloads:
        await manager.write_stream(
            stream_name=stream_name,
            queue=queue,
            payload=payload,
            track_ids=TRACK_IDS,
            auth_info=AUTH_INFO,
            compression=compression,
            serialization=serialization,
        )


async def read(
    manager: StreamManager, stream_name: str, group: str, *, batch_size: int = 100, timeout: int = 100
) -> List[Union[StreamEvent, Exception]]:
    return await manager.read_stream(
        stream_name=stream_name,
        consumer_group=group,
        datatypes=DATATYPES,
        track_headers=TRACK_HEADERS,
        offset=">",
        batch_size=batch_size,
        timeout=timeout,
        batch_interval=5000,
    )


def events_of(items: Sequence[Union[StreamEvent, Exception]]) -> List[StreamEvent]:
    """The items of a read, checked to be all events (no read errors)."""
    events = [item for item in items if isinstance(item, StreamEvent)]
    assert len(events) == len(items), items
    return events


async def read_events(
    manager: StreamManager, stream_name: str, group: str, *, batch_size: int = 100, timeout: int = 100
) -> List[StreamEvent]:
    """``read``, for tests that expect only events."""
    return events_of(await read(manager, stream_name, group, batch_size=batch_size, timeout=timeout))


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 15.0, interval: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


async def blocked_clients(client: Any) -> int:
    """Clients of the Redis server ``client`` talks to that are blocked in a command (an XREADGROUP BLOCK).

    Tests wait for this to go up before writing, instead of sleeping while a reader gets there.
    """
    info: Dict[str, Any] = await client.info("clients")
    return int(info["blocked_clients"])


async def reader_blocked(client: Any, before: int) -> None:
    """Wait until more than ``before`` clients are blocked: the read just started is waiting on Redis."""

    async def blocked() -> bool:
        return await blocked_clients(client) > before

    await wait_until(blocked, what=f"more than {before} client(s) blocked in a read")


def persistent_redis(tmp_path: Path) -> RedisServer:
    """A Redis server that keeps every write (AOF, fsync always), so it survives kill -9 and restart."""
    script = tmp_path / "redis-server-aof"
    script.write_text(
        "#!/bin/sh\n"
        f'exec "{find_redis_server_binary()}" "$@" --appendonly yes --appendfsync always\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    assert os.access(script, os.X_OK)
    return RedisServer(binary=str(script))
