"""Engine overhead benchmark: per-step cost and messages/s through the in-process stream manager.

Run: ``python benchmarks/engine_bench.py`` (engine installed). Baselines run in the same process:
plain awaited coroutines for the steps, and an ``asyncio.Queue`` producer/consumer that serializes and
parses the same payloads (``Payload.to_json`` / ``Payload.from_json``) for the stream. Rounds are
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
from typing import Any, Callable, Coroutine, List

sys.path.insert(0, str(Path(__file__).parent))

from engine_bench_app import Point, Reading
from engine_bench_app import consume as consume_module
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

    async def engine_stream() -> float:
        consume_module.COUNT[0] = 0
        start = time.perf_counter()
        consumer = asyncio.ensure_future(engine.read_stream(event_name="consume", max_events=MESSAGES,
                                                            wait_start=False))
        await engine.execute(context=engine.create_context("produce", ids, {}), query_args={"n": str(MESSAGES)},
                             payload=None)
        await consumer
        assert consume_module.COUNT[0] == MESSAGES, consume_module.COUNT[0]
        return MESSAGES / (time.perf_counter() - start)

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

    results: dict = {"engine_step": [], "plain_step": [], "engine_stream": [], "queue_stream": []}
    for _ in range(ROUNDS):
        gc.collect()
        results["engine_step"].append(await engine_steps())
        results["plain_step"].append(await plain_steps())
        results["engine_stream"].append(await engine_stream())
        results["queue_stream"].append(await queue_stream())
    await engine.stop()

    engine_step, plain_step = min(results["engine_step"]), min(results["plain_step"])
    overhead_us = (engine_step - plain_step) * 1e6
    engine_rate, queue_rate = max(results["engine_stream"]), max(results["queue_stream"])
    print(json.dumps({"python": sys.version.split()[0], "rounds": ROUNDS}))
    print(f"steps:  engine {engine_step * 1e6:.2f} us/step, plain asyncio {plain_step * 1e6:.2f} us/step, "
          f"engine overhead {overhead_us:.2f} us/step (aim <= 10)")
    print(f"stream: memory stream manager {engine_rate:,.0f} msg/s, asyncio.Queue+json {queue_rate:,.0f} msg/s, "
          f"ratio {engine_rate / queue_rate:.2f} (aim >= 0.5) for {MESSAGES:,} messages")


if __name__ == "__main__":
    asyncio.run(main())
