"""Engine overhead benchmark: per-step cost and messages/s through the in-process stream manager.

Run: ``python benchmarks/engine_bench.py`` (engine installed; ``BENCH_ROUNDS=n`` sets the rounds, default
5). Baselines run in the same process: plain awaited coroutines for the steps, and an ``asyncio.Queue``
producer/consumer that serializes and parses the same payloads (``Payload.to_json`` /
``Payload.from_json``) for the stream. The stream runs twice, with a plain ``def`` consumer step and
with an ``async def`` one (as most apps write their steps), and the difference per message is printed
(measured as CPU time of the process per message, which other processes on a shared machine move
less than wall time): an async step should cost no more than 5 us per message over a plain one. The
request path (``AppEngine.execute`` of a GET event, a new context each, no web server) is timed
plain and async too, against the same aim. Rounds are
interleaved; the best round of each is reported. Like ``hopeit_server run`` once it serves, the script
freezes start-up objects (``gc.freeze()``) before measuring; both sides run with that heap.
"""

import asyncio
import gc
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any, Callable, Coroutine, Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).parent))

from engine_bench_app import Point, Reading
from engine_bench_app import consume as consume_module
from engine_bench_app import consume_async as consume_async_module
from hopeit.contracts.settings import LoggingConfig, ServerConfig, StreamsConfig
from hopeit.dataobjects.payload import Payload
from hopeit.server.config import load_app_config
from hopeit.server.engine import AppEngine

STEP_CALLS = 20_000
MESSAGES = 20_000
ROUNDS = int(__import__("os").getenv("BENCH_ROUNDS", "5"))


async def _best(fn: Callable[[], Coroutine[Any, Any, float]]) -> float:
    return min([await fn() for _ in range(1)])


async def main() -> None:
    logging.disable(logging.CRITICAL)
    app_config = load_app_config(Path(__file__).parent / "engine_bench_app" / "config.json")
    app_config.server = ServerConfig(logging=LoggingConfig(log_level="WARNING", console_only=True),
                                     streams=StreamsConfig(connection_str="bench", delay_auto_start_seconds=0))
    engine = await AppEngine(app_config=app_config, plugins=[]).start()
    gc.freeze()  # as hopeit_server run does once serving: start-up objects leave the collector's full passes
    ids = {"track.request_id": "r", "track.request_ts": "2024-01-01T00:00:00+00:00", "track.operation_id": "o"}
    steps_module = engine._handler().event("steps10").module
    steps = [getattr(steps_module, f"step{i}") for i in range(10)]

    async def engine_steps() -> float:
        context = engine.create_context("steps10", ids, {})
        chain = engine._handler().event("steps10").chain
        start = time.perf_counter()
        for _ in range(STEP_CALLS):
            async for _result in chain.run(Point(id="p", x=0.0, y=1.0), context, {}):
                pass
        return (time.perf_counter() - start) / (STEP_CALLS * 10)

    async def plain_steps() -> float:
        context = engine.create_context("steps10", ids, {})
        start = time.perf_counter()
        for _ in range(STEP_CALLS):
            value = Point(id="p", x=0.0, y=1.0)
            for step in steps:
                value = await step(value, context)
        return (time.perf_counter() - start) / (STEP_CALLS * 10)

    async def engine_stream(async_step: bool = False) -> Tuple[float, float]:
        """Messages/s of a GET event spawning MESSAGES readings and a STREAM event consuming them,
        and the CPU time of this process per message (us): less moved than wall time by other
        processes on a shared machine."""
        counter = (consume_async_module if async_step else consume_module).COUNT
        producer, consumer_event = ("produce_async", "consume_async") if async_step else ("produce", "consume")
        counter[0] = 0
        start, cpu = time.perf_counter(), time.process_time()
        consumer = asyncio.ensure_future(engine.read_stream(event_name=consumer_event, max_events=MESSAGES,
                                                            wait_start=False))
        await engine.execute(context=engine.create_context(producer, ids, {}), query_args={"n": str(MESSAGES)},
                             payload=None)
        await consumer
        assert counter[0] == MESSAGES, counter[0]
        return MESSAGES / (time.perf_counter() - start), 1e6 * (time.process_time() - cpu) / MESSAGES

    async def request(event_name: str) -> float:
        """Seconds per request of ``AppEngine.execute`` of a GET event, with a new context each (as the web does)."""
        start = time.perf_counter()
        for _ in range(STEP_CALLS):
            context = engine.create_context(event_name, ids, {})
            await engine.execute(context=context, query_args=None, payload=None)
        return (time.perf_counter() - start) / STEP_CALLS

    async def queue_stream() -> float:
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        received: List[Reading] = []

        async def producer() -> None:
            for i in range(MESSAGES):
                item = Reading(id=str(i), sensor="s-1", value=i * 0.5, unit="C", tags=["bench", "a"])
                await queue.put(Payload.to_json(item).encode())

        async def consumer() -> None:
            while len(received) < MESSAGES:
                received.append(Payload.from_json(await queue.get(), Reading))

        start = time.perf_counter()
        await asyncio.gather(producer(), consumer())
        return MESSAGES / (time.perf_counter() - start)

    results: Dict[str, List[float]] = {
        name: [] for name in ("engine_step", "plain_step", "engine_stream", "async_stream", "queue_stream",
                              "request_plain", "request_async")
    }
    cpu: Dict[str, List[float]] = {"engine_stream": [], "async_stream": []}
    for _ in range(ROUNDS):
        gc.collect()
        results["engine_step"].append(await engine_steps())
        results["plain_step"].append(await plain_steps())
        results["request_plain"].append(await request("request_plain"))
        results["request_async"].append(await request("request_async"))
        for name, async_step in (("engine_stream", False), ("async_stream", True)):
            rate, cpu_us = await engine_stream(async_step)
            results[name].append(rate)
            cpu[name].append(cpu_us)
        results["queue_stream"].append(await queue_stream())
    await engine.stop()

    engine_step, plain_step = min(results["engine_step"]), min(results["plain_step"])
    overhead_us = (engine_step - plain_step) * 1e6
    engine_rate, queue_rate = max(results["engine_stream"]), max(results["queue_stream"])
    async_rate = max(results["async_stream"])
    plain_cpu, async_cpu = min(cpu["engine_stream"]), min(cpu["async_stream"])
    print(json.dumps({"python": sys.version.split()[0], "rounds": ROUNDS}))
    print(f"steps:  engine {engine_step * 1e6:.2f} us/step, plain asyncio {plain_step * 1e6:.2f} us/step, "
          f"engine overhead {overhead_us:.2f} us/step (aim <= 10)")
    print(f"stream: memory stream manager {engine_rate:,.0f} msg/s, asyncio.Queue+json {queue_rate:,.0f} msg/s, "
          f"ratio {engine_rate / queue_rate:.2f} (aim >= 0.5) for {MESSAGES:,} messages")
    request_plain, request_async = min(results["request_plain"]), min(results["request_async"])
    print(f"request (AppEngine.execute, new context each): plain def {request_plain * 1e6:.2f} us, "
          f"async def {request_async * 1e6:.2f} us: async costs {(request_async - request_plain) * 1e6:+.2f} us "
          f"per request (aim <= 5)")
    print(f"stream consumer step: plain def {engine_rate:,.0f} msg/s, async def {async_rate:,.0f} msg/s; "
          f"CPU {plain_cpu:.2f} / {async_cpu:.2f} us/msg: async costs {async_cpu - plain_cpu:+.2f} us/msg "
          f"(wall {1e6 / async_rate - 1e6 / engine_rate:+.2f}; aim <= 5)")


if __name__ == "__main__":
    asyncio.run(main())
