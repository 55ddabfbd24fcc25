"""Latency of a message on the second queue of an idle STREAM event: read in turn (before) or in one call (after).

A STREAM event reads queues ``["AUTO", "second"]`` (streams ``bench.queues`` and
``bench.queues.second``) with ``read_stream_timeout`` 1000 ms. Single messages are published to
the second queue at random moments, each once the previous one was processed, and the time from
publishing to the step is measured. Two ways of reading, in the same run, rounds interleaved:

* before: a stream manager that does not implement ``read_streams`` (the contract's default: one
  ``read_stream`` per queue in turn, as the engine read before issue #19): a message on the second
  queue waits while the loop is blocked on the first, up to a whole ``read_stream_timeout``;
* after: the manager's own ``read_streams``, one wait over both queues (one ``XREADGROUP`` on Redis).

Both with the in-process stream manager and with the redis-streams plugin on a real Redis
(``hopeit.testing.redis.RedisServer`` starts its own redis-server). Prints median, p95 and max
latency in ms.

Run: ``.venv/bin/python benchmarks/stream_queues_bench.py [--messages 20] [--rounds 2] [--timeout-ms 1000]``
(about two minutes; needs hopeit.engine and hopeit.redis-streams installed, and pytest, which
``hopeit.testing`` imports; ``--no-redis`` for the memory manager alone).
"""

import argparse
import asyncio
import json
import logging
import random
import statistics
import sys
import tempfile
import time
import types
from dataclasses import dataclass
from typing import Dict, List, Optional

from hopeit.app.config import Compression, Serialization, parse_app_config_json
from hopeit.app.context import EventContext
from hopeit.contracts.settings import LoggingConfig, ServerConfig, StreamsConfig
from hopeit.dataobjects import dataobject
from hopeit.server.engine import AppEngine
from hopeit.streams import StreamManager
from hopeit.streams.memory import MemoryStreamManager

STREAM = "bench.queues"


@dataobject
@dataclass
class Ping:
    """A message stamped with the ``time.perf_counter()`` of its publishing."""

    id: str
    sent: float


#: latency (seconds) of each message processed
RECEIVED: List[float] = []
#: set by the step, waited for by the publisher (made in ``main``: before 3.10 an Event belongs to a loop)
ARRIVED: Optional[asyncio.Event] = None


async def record(payload: Ping, context: EventContext) -> None:
    """STREAM step: how long the message took from publishing to here."""
    RECEIVED.append(time.perf_counter() - payload.sent)
    assert ARRIVED is not None
    ARRIVED.set()


class PerQueueMemory(MemoryStreamManager):
    """The in-process manager reading an event's queues one by one: the contract's default ``read_streams``."""

    read_streams = StreamManager.read_streams


def _per_queue_redis() -> type:
    from hopeit.redis_streams import RedisStreamManager

    class PerQueueRedis(RedisStreamManager):
        """The redis-streams manager reading an event's queues one by one (the contract's default)."""

        read_streams = StreamManager.read_streams

    return PerQueueRedis


def _register_modules() -> None:
    """This script's step as the app's event module ``queues_bench.consume``."""
    package = types.ModuleType("queues_bench")
    package.__path__ = []
    consume = types.ModuleType("queues_bench.consume")
    consume.__steps__ = ["record"]  # type: ignore[attr-defined]
    consume.record = record  # type: ignore[attr-defined]
    sys.modules.update({"queues_bench": package, "queues_bench.consume": consume})


async def start_engine(stream_manager: str, url: str, stream: str, timeout_ms: int, log_dir: str) -> AppEngine:
    _register_modules()
    app_config = parse_app_config_json(json.dumps({
        "app": {"name": "queues-bench", "version": "1.0"},
        "engine": {"import_modules": ["queues_bench"], "read_stream_timeout": timeout_ms,
                   "read_stream_interval": timeout_ms},
        "events": {"consume": {"type": "STREAM", "read_stream": {
            "name": stream, "consumer_group": "{auto}", "queues": ["AUTO", "second"]}}},
    }))
    app_config.server = ServerConfig(
        streams=StreamsConfig(stream_manager=stream_manager, connection_str=url, delay_auto_start_seconds=0),
        logging=LoggingConfig(log_level="WARNING", log_path=log_dir + "/"),
    )
    return await AppEngine(app_config=app_config, plugins=[], enabled_groups=[]).start()


async def measure(stream_manager: str, url: str, messages: int, timeout_ms: int, seed: int) -> List[float]:
    """Latencies (ms) of ``messages`` single messages published to the second queue at random moments."""
    rng = random.Random(seed)
    stream = f"{STREAM}.{stream_manager.rpartition('.')[2].lower()}.{seed}"  # a stream of its own
    with tempfile.TemporaryDirectory() as log_dir:
        engine = await start_engine(stream_manager, url, stream, timeout_ms, log_dir)
        manager = engine.stream_manager
        assert manager is not None
        reading = asyncio.ensure_future(engine.read_stream(event_name="consume", wait_start=False))
        RECEIVED.clear()
        try:
            await publish_and_wait(manager, stream, "warm-up", timeout_ms)  # the loop reads: groups exist, it waits
            RECEIVED.clear()
            for index in range(messages):
                # a random moment of the loop's read cycle
                await asyncio.sleep(rng.uniform(0.0, 1.2 * timeout_ms / 1000))
                await publish_and_wait(manager, stream, str(index), timeout_ms)
            latencies = [1000 * latency for latency in RECEIVED]
            # stop: a last message on the first queue ends the loop's wait at once, whichever way it reads
            await engine.stop_event("consume")
            await publish(manager, stream, "stop", "AUTO")
            await asyncio.wait_for(reading, 3 * timeout_ms / 1000)
        finally:
            reading.cancel()
            await asyncio.gather(reading, return_exceptions=True)
            await engine.stop()
        return latencies


async def publish_and_wait(manager: StreamManager, stream: str, ping_id: str, timeout_ms: int) -> None:
    """Publish one message to the second queue of ``stream`` and wait until the step got it."""
    assert ARRIVED is not None
    ARRIVED.clear()
    await publish(manager, stream, ping_id, "second")
    await asyncio.wait_for(ARRIVED.wait(), 3 * timeout_ms / 1000)


async def publish(manager: StreamManager, stream: str, ping_id: str, queue: str) -> None:
    """Publish one message stamped with the time now to ``queue`` of ``stream``."""
    await manager.write_stream(
        stream_name=stream if queue == "AUTO" else f"{stream}.{queue}", queue=queue,
        payload=Ping(id=ping_id, sent=time.perf_counter()),
        track_ids={"track.request_id": ping_id, "track.request_ts": "2024-01-01T00:00:00+00:00"}, auth_info={},
        compression=Compression.NONE, serialization=Serialization.JSON_UTF8,
    )


def summary(latencies: List[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):7.1f} ms  p95 {p95:7.1f} ms  max {ordered[-1]:7.1f} ms"


async def compare(name: str, before: str, after: str, url: str, args: argparse.Namespace) -> None:
    """Rounds of ``before`` then ``after``, interleaved; one line each."""
    found: Dict[str, List[float]] = {before: [], after: []}
    for round_index in range(args.rounds):
        for manager in (before, after):
            found[manager] += await measure(manager, url, args.messages, args.timeout_ms, seed=round_index)
    for label, manager in (("before: read_stream per queue", before), ("after:  read_streams, one wait", after)):
        print(f"{name:<7} {label:<31} {len(found[manager]):3d} msgs  {summary(found[manager])}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20, help="messages per round and way of reading")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--timeout-ms", type=int, default=1000, help="read_stream_timeout of the event")
    parser.add_argument("--no-redis", action="store_true", help="the in-process manager only")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    global ARRIVED
    ARRIVED = asyncio.Event()
    print(f"a message on the second of two queues of an idle STREAM event; read_stream_timeout {args.timeout_ms} ms")
    await compare("memory", f"{__name__}.PerQueueMemory", "memory", "bench-queues", args)  # same address: fine,
    # the engines run one after the other and acknowledge everything
    if not args.no_redis:
        from hopeit.testing.redis import RedisServer

        server: Optional[RedisServer] = RedisServer().start()
        assert server is not None
        try:
            globals()["PerQueueRedis"] = _per_queue_redis()
            await compare("redis", f"{__name__}.PerQueueRedis", "redis", server.url, args)
        finally:
            server.close()


if __name__ == "__main__":
    asyncio.run(main())

