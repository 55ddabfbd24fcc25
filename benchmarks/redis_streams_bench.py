"""Redis Streams throughput: the redis-streams plugin beside raw redis-py, same payloads, same run.

Starts its own redis-server (``hopeit.testing.redis.RedisServer``) and moves ``--messages``
messages (default 20,000) through it three ways, each on a fresh stream:

* raw: redis-py asyncio, pipelined ``XADD`` of the JSON payloads in chunks, then
  ``XREADGROUP`` + JSON parsing + one ``XACK`` per chunk: the floor any stream manager builds on;
* manager: ``RedisStreamManager.write_stream_batch`` then ``read_stream`` + one
  ``ack_read_stream_batch`` per batch (as the engine's read loop does), in the engine's wire format;
* engine: an ``AppEngine`` POST event spawning every message to its ``write_stream``, then the
  STREAM event consuming them (steps, contexts, metrics and acks included; INFO logs off), with
  plain JSON payloads as the raw runs send them, and with the engine's default encoding (JSON in
  base64, lz4); then the plain JSON run again with an ``async def`` consumer step instead of a
  ``def`` one (as most apps write their steps): the consume rates of both and what the async step
  costs per message are printed (aim: no more than 5 us).

Prints msgs/s for publishing, consuming and the whole trip, the ratio to both raw runs, and the
CPU time of this process per message (``time.process_time``; redis-server's own CPU is not
included). Like ``hopeit_server run`` once it serves, the script freezes start-up objects
(``gc.freeze()``) before measuring; every variant runs with that heap. Each variant runs
``--repeat`` times on an emptied Redis and the best figures are shown, which filters out the noise
of a shared machine.

Run: ``.venv/bin/python benchmarks/redis_streams_bench.py [--messages 20000] [--batch 500]``
"""

import argparse
import asyncio
import gc
import json
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Tuple

import redis.asyncio as aioredis
from hopeit.app.config import Compression, Serialization, parse_app_config_json
from hopeit.app.context import EventContext
from hopeit.app.events import Spawn
from hopeit.contracts.settings import LoggingConfig, ServerConfig, StreamsConfig
from hopeit.dataobjects import dataobject
from hopeit.dataobjects.payload import Payload
from hopeit.redis_streams import RedisStreamManager
from hopeit.streams import StreamEvent
from hopeit.streams.messages import payload_type_name
from hopeit.testing.redis import RedisServer


@dataobject(event_id="id", event_ts="ts")
@dataclass
class BenchItem:
    """A small, typical event payload."""

    id: str
    index: int
    ts: datetime
    name: str = "benchmark item"
    tags: List[str] = field(default_factory=lambda: ["a", "b", "c"])


@dataobject
@dataclass
class BenchOrder:
    """How many items the engine's POST event spawns."""

    count: int


def items(count: int) -> List[BenchItem]:
    now = datetime.now(tz=timezone.utc)
    return [BenchItem(id=f"item-{i}", index=i, ts=now) for i in range(count)]


TRACK_IDS = {"track.operation_id": "op", "track.request_id": "req", "track.request_ts": "2024-01-01T00:00:00+00:00"}
Phase = Tuple[float, float]  # wall seconds, cpu seconds
Run = Tuple[Phase, Phase]  # publish, consume


async def timed(work: Callable[[], Awaitable[Any]]) -> Phase:
    wall, cpu = time.perf_counter(), time.process_time()
    await work()
    return time.perf_counter() - wall, time.process_time() - cpu


def wire_fields(item: BenchItem) -> Dict[str, Any]:
    """The fields of the engine's wire format, built by hand (what any compatible producer sends)."""
    return {
        "id": item.id, "type": "bench.BenchItem", "submit_ts": datetime.now(tz=timezone.utc).isoformat(),
        "event_ts": item.ts.isoformat(), **TRACK_IDS, "auth_info": b"e30=", "ser": "json", "comp": "none",
        "payload": Payload.to_json(item), "queue": b"AUTO",
    }


async def run_raw(url: str, payloads: List[BenchItem], batch: int, wire: bool) -> Tuple[Phase, Phase]:
    """Pipelined XADD, then XREADGROUP + parse + XACK per chunk, with redis-py alone.

    ``wire``: send the wire format's fields; else only the payload JSON in one field.
    """
    client = aioredis.from_url(url)
    stream, group = f"bench.raw.{wire}", "g"
    await client.xgroup_create(stream, group, id="0", mkstream=True)

    async def publish() -> None:
        for start in range(0, len(payloads), batch):
            pipe = client.pipeline(transaction=False)
            for item in payloads[start : start + batch]:
                pipe.xadd(stream, wire_fields(item) if wire else {"payload": Payload.to_json(item)})
            await pipe.execute()

    async def consume() -> None:
        seen = 0
        while seen < len(payloads):
            reply = await client.xreadgroup(group, "raw", {stream: ">"}, count=batch, block=100)
            messages = reply[0][1] if reply else []
            for _, fields in messages:
                Payload.from_json(fields[b"payload"], BenchItem)
            if messages:
                await client.xack(stream, group, *(msg_id for msg_id, _ in messages))
            seen += len(messages)

    phases = await timed(publish), await timed(consume)
    await client.aclose()
    return phases


async def run_manager(
    url: str, payloads: List[BenchItem], batch: int, compression: Compression, serialization: Serialization
) -> Tuple[Phase, Phase]:
    """write_stream_batch, then read_stream + ack_read_stream_batch, as the engine uses them."""
    stream, group = f"bench.manager.{compression.value}.{serialization.value}", "g"
    manager = await RedisStreamManager(
        address=url, config=StreamsConfig(stream_manager="redis", connection_str=url)
    ).connect()
    await manager.ensure_consumer_group(stream_name=stream, consumer_group=group)
    datatypes = {payload_type_name(BenchItem): BenchItem}

    async def publish() -> None:
        for start in range(0, len(payloads), batch):
            await manager.write_stream_batch(
                stream_name=stream, queue="AUTO", payloads=payloads[start : start + batch], track_ids=TRACK_IDS,
                auth_info={}, compression=compression, serialization=serialization,
            )

    async def consume() -> None:
        seen = 0
        while seen < len(payloads):
            events = await manager.read_stream(
                stream_name=stream, consumer_group=group, datatypes=datatypes, track_headers=["track.request_id"],
                offset=">", batch_size=batch, timeout=100, batch_interval=100,
            )
            await manager.ack_read_stream_batch(
                stream_name=stream, consumer_group=group,
                stream_events=[e for e in events if isinstance(e, StreamEvent)],
            )
            seen += len(events)

    phases = await timed(publish), await timed(consume)
    await manager.close()
    return phases


# -- the same through AppEngine: an app whose event modules live in this script ----------------

async def spawn_items(payload: BenchOrder, context: EventContext) -> Spawn[BenchItem]:
    """POST step: spawn ``count`` items (the engine publishes them in ``stream.batch_size`` batches)."""
    now = datetime.now(tz=timezone.utc)
    for i in range(payload.count):
        yield BenchItem(id=f"item-{i}", index=i, ts=now)


def consume_item(payload: BenchItem, context: EventContext) -> None:
    """STREAM step: nothing to do, so the figures show the engine's own cost."""


async def consume_item_async(payload: BenchItem, context: EventContext) -> None:
    """The same STREAM step written ``async def``, as most apps write their steps."""


def _engine_modules() -> None:
    """Register this script's steps as the app's event modules ``bench_app.publish`` / ``bench_app.consume``."""
    import types

    package = types.ModuleType("bench_app")
    package.__path__ = []
    publish = types.ModuleType("bench_app.publish")
    publish.__steps__ = ["spawn_items"]  # type: ignore[attr-defined]
    publish.spawn_items = spawn_items  # type: ignore[attr-defined]
    consume = types.ModuleType("bench_app.consume")
    consume.__steps__ = ["consume_item"]  # type: ignore[attr-defined]
    consume.consume_item = consume_item  # type: ignore[attr-defined]
    consume_async = types.ModuleType("bench_app.consume_async")
    consume_async.__steps__ = ["consume_item_async"]  # type: ignore[attr-defined]
    consume_async.consume_item_async = consume_item_async  # type: ignore[attr-defined]
    sys.modules.update({"bench_app": package, "bench_app.publish": publish, "bench_app.consume": consume,
                        "bench_app.consume_async": consume_async})


async def run_engine(
    url: str, count: int, batch: int, log_dir: str, plain: bool, async_step: bool = False
) -> Tuple[Phase, Phase]:
    """An AppEngine POST event publishing ``count`` items, then its STREAM event consuming them.

    ``plain``: JSON payloads, uncompressed, as the raw runs send them; else the engine's defaults
    (JSON in base64, lz4). ``async_step``: the STREAM event's step is ``async def``.
    """
    from hopeit.server.engine import AppEngine

    _engine_modules()
    consume_impl = "bench_app.consume_async" if async_step else "bench_app.consume"
    app_config = parse_app_config_json(json.dumps({
        "app": {"name": "bench-app", "version": "1.0"},
        "engine": {
            "import_modules": ["bench_app"], "read_stream_timeout": 100, "read_stream_interval": 100,
            **({"default_stream_serialization": "json", "default_stream_compression": "none"} if plain else {}),
        },
        "settings": {"publish": {"stream": {"batch_size": batch}}, "consume": {"stream": {"batch_size": batch}}},
        "events": {
            "publish": {"type": "POST", "write_stream": {"name": "bench.engine"}},
            "consume": {"type": "STREAM", "impl": consume_impl,
                        "read_stream": {"name": "bench.engine", "consumer_group": "{auto}"}},
        },
    }))
    app_config.server = ServerConfig(
        streams=StreamsConfig(stream_manager="redis", connection_str=url, delay_auto_start_seconds=0),
        logging=LoggingConfig(log_level="WARNING", log_path=log_dir + "/"),
    )
    engine = await AppEngine(app_config=app_config, plugins=[], enabled_groups=[]).start()
    track_ids: Dict[str, str] = {**TRACK_IDS}
    context = engine.create_context("publish", track_ids, {"auth_type": "Unsecured", "allowed": "true"})

    async def publish() -> None:
        await engine.execute(context=context, query_args=None, payload=BenchOrder(count=count))

    async def consume() -> None:
        await engine.read_stream(event_name="consume", max_events=count, wait_start=False)

    phases = await timed(publish), await timed(consume)
    await engine.stop()
    return phases


def report(name: str, count: int, phases: Run, raw: Run, wire: Run) -> None:
    """One line: rates, ratio of end-to-end rates to both raw runs, CPU per message (publish + consume)."""
    (pub_wall, pub_cpu), (con_wall, con_cpu) = phases
    total = pub_wall + con_wall
    raw_total = raw[0][0] + raw[1][0]
    wire_total = wire[0][0] + wire[1][0]
    print(
        f"{name:<48} publish {count / pub_wall:>7,.0f}/s  consume {count / con_wall:>7,.0f}/s  "
        f"end-to-end {count / total:>7,.0f}/s  ratio {raw_total / total:4.2f}x raw {wire_total / total:4.2f}x wire  "
        f"cpu {1e6 * (pub_cpu + con_cpu) / count:5.1f} us/msg "
        f"({1e6 * pub_cpu / count:.0f} + {1e6 * con_cpu / count:.0f})"
    )


def report_async_step(count: int, plain: Run, async_step: Run) -> None:
    """The consuming STREAM event with a ``def`` step beside an ``async def`` one: rates and the cost per message."""
    (_, (plain_wall, plain_cpu)), (_, (async_wall, async_cpu)) = plain, async_step
    print(
        f"STREAM consumer step: plain def {count / plain_wall:,.0f} msg/s, async def {count / async_wall:,.0f} msg/s; "
        f"async costs {1e6 * (async_wall - plain_wall) / count:+.1f} us/msg wall, "
        f"{1e6 * (async_cpu - plain_cpu) / count:+.1f} us/msg cpu (aim <= 5)"
    )


async def best_of(repeat: int, url: str, run: Callable[[], Awaitable[Run]]) -> Run:
    """Fastest publish and fastest consume (wall and CPU) of ``repeat`` runs, each on an empty Redis."""
    runs = []
    client = aioredis.from_url(url)
    for _ in range(repeat):
        await client.flushall()
        runs.append(await run())
    await client.aclose()
    publish = (min(r[0][0] for r in runs), min(r[0][1] for r in runs))
    consume = (min(r[1][0] for r in runs), min(r[1][1] for r in runs))
    return publish, consume


async def main() -> None:
    """Run every variant ``--repeat`` times and print the best figures of each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3, help="runs per variant; the best is shown")
    parser.add_argument("--no-engine", action="store_true", help="skip the AppEngine run")
    args = parser.parse_args()
    count, batch, repeat = args.messages, args.batch, args.repeat
    server = RedisServer().start()
    url = server.url
    gc.freeze()  # as hopeit_server run does once serving: start-up objects leave the collector's full passes
    try:
        info = await aioredis.from_url(url).info("server")
        print(
            f"redis-server {info['redis_version']}; {count:,} messages, batches of {batch}; "
            f"best of {repeat} runs; ratio = end-to-end rate / raw rate"
        )
        payloads = items(count)
        raw = await best_of(repeat, url, lambda: run_raw(url, payloads, batch, wire=False))
        wire = await best_of(repeat, url, lambda: run_raw(url, payloads, batch, wire=True))
        report("raw redis-py: payload field", count, raw, raw, wire)
        report("raw redis-py: wire fields", count, wire, raw, wire)
        for compression, serialization in (
            (Compression.NONE, Serialization.JSON_UTF8),
            (Compression.LZ4, Serialization.JSON_BASE64),
        ):
            phases = await best_of(
                repeat, url, lambda c=compression, s=serialization: run_manager(url, payloads, batch, c, s)  # type: ignore[misc]
            )
            report(f"manager ({serialization.value}, {compression.value})", count, phases, raw, wire)
        if not args.no_engine:
            engine_runs: Dict[Tuple[bool, bool], Run] = {}
            for plain, async_step, name in (
                (True, False, "json, none"), (False, False, "json+base64, lz4"), (True, True, "json, none, async step"),
            ):
                with tempfile.TemporaryDirectory() as log_dir:
                    phases = await best_of(
                        repeat, url,
                        lambda p=plain, a=async_step: run_engine(url, count, batch, log_dir, p, a),  # type: ignore[misc]
                    )
                engine_runs[plain, async_step] = phases
                report(f"AppEngine POST->STREAM ({name})", count, phases, raw, wire)
            report_async_step(count, engine_runs[True, False], engine_runs[True, True])
    finally:
        server.close()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    asyncio.run(main())
