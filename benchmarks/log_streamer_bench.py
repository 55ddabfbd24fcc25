"""log-streamer throughput and lag, beside plain Python and raw redis-py doing the same work.

Writes ``--files`` log files of ``--lines`` lines each in the engine's format (four lines in five are
lifecycle lines, the rest other INFO lines), starts its own redis-server
(``hopeit.testing.redis.RedisServer``) and publishes the lifecycle lines two ways, each on an
emptied Redis:

* baseline: plain Python reads the files line by line, keeps the lifecycle lines, splits them into
  the entries' fields and sends batches of ``--batch`` entries as JSON with raw redis-py ``XADD``;
* log-streamer: the ``log_reader`` SERVICE run by an ``AppEngine`` in this process, on the
  redis-streams plugin, with the packaged stream settings (lz4, JSON in base64), from its start until
  every entry is on the stream.

Then, with the streamer idle and following the folder, a thread appends ``--lag-rate`` lines a second
for ``--lag-seconds`` seconds to a new file, each carrying its write time, and another thread reads the
stream (blocking ``XREAD``): the time from a line written to its entry read is printed at p50 and p99.

Run: ``.tox/py312-log_streamer/bin/python benchmarks/log_streamer_bench.py``
"""

import argparse
import asyncio
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

import redis
import redis.asyncio as aioredis
from hopeit.contracts.settings import LoggingConfig, ServerConfig, StreamsConfig
from hopeit.log_streamer import LogBatch
from hopeit.log_streamer.plugin import config_path
from hopeit.server.engine import AppEngine
from hopeit.streams.messages import decode_message, payload_type_name
from hopeit.testing.apps import config
from hopeit.testing.redis import RedisServer

STREAM = "hopeit.log-streamer.logs"
MESSAGES = ("START", "DONE", "FAILED", "IGNORED")
DATATYPES = {payload_type_name(LogBatch): LogBatch}


def log_line(file_index: int, n: int, write_ts: float = 0.0) -> str:
    """A line as the engine writes it: four in five are lifecycle lines."""
    head = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(1_700_000_000 + n // 1000)) + f",{n % 1000:03d}"
    name = f"bench-app 1.0 event_{file_index} host {4000 + file_index}"
    if n % 5 == 4:
        return f"{head} | INFO | {name} | some progress of the event | extra.step=3 | track.request_id=r{n}"
    msg = MESSAGES[n % 5 % 4]
    request_id = f"{write_ts:.6f}" if write_ts else f"r{n}"
    return (
        f"{head} | INFO | {name} | {msg} | metrics.duration=1.234 | track.operation_id=op-{file_index}-{n} | "
        f"track.request_id={request_id} | track.request_ts=2024-01-01T00:00:00+00:00 | event.app=bench_app.1x0"
    )


def write_files(folder: Path, files: int, lines: int) -> int:
    """The log files; returns how many lifecycle lines they hold."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(files):
        text = "".join(log_line(index, n) + "\n" for n in range(lines))
        (folder / f"bench_app_1x0_event_{index}_host_{4000 + index}.log").write_text(text, encoding="utf-8")
    return files * sum(1 for n in range(lines) if n % 5 != 4)


async def baseline(folder: Path, url: str, batch_size: int) -> float:
    """Seconds plain Python takes to read, filter, split and XADD every lifecycle line."""
    raw = aioredis.Redis.from_url(url)
    marks = tuple(f" | {msg} |" for msg in MESSAGES)
    start = time.perf_counter()
    batch: List[Dict[str, Any]] = []
    for path in sorted(folder.iterdir()):
        with open(path, encoding="utf-8") as file:
            for line in file:
                if not any(mark in line for mark in marks):
                    continue
                parts = line.rstrip("\n").split(" | ")
                words = parts[2].split()
                batch.append({
                    "ts": parts[0], "msg": parts[3], "app_name": words[0], "app_version": words[1],
                    "event_name": words[2], "host": words[3], "pid": words[4],
                    "extra": dict(part.split("=", 1) for part in parts[4:] if part.count("=") == 1),
                })
                if len(batch) >= batch_size:
                    await raw.xadd(STREAM, {"payload": json.dumps({"entries": batch})})
                    batch = []
    if batch:
        await raw.xadd(STREAM, {"payload": json.dumps({"entries": batch})})
    elapsed = time.perf_counter() - start
    await raw.aclose()
    return elapsed


def entries_on_stream(client: Any) -> int:
    """Entries of every LogBatch on the stream."""
    total = 0
    for msg_id, fields in client.xrange(STREAM):
        event = decode_message(fields, msg_id=msg_id, stream_name=STREAM, consumer_group="bench",
                               datatypes=DATATYPES, track_headers=[])
        assert not isinstance(event, Exception), event
        total += len(event.payload.entries)
    return total


async def start_engine(url: str, work: Path, batch_size: int) -> AppEngine:
    """An AppEngine of the packaged plugin config reading ``<work>/logs`` and publishing to ``url``."""
    app_config = config(config_path())
    settings = app_config.effective_settings
    assert settings is not None
    settings["log_reader"]["extras"]["_"].update(
        logs_path=f"{work}/logs/", checkpoint_path=f"{work}/checkpoints/", batch_size=batch_size
    )
    app_config.server = ServerConfig(
        streams=StreamsConfig(stream_manager="redis", connection_str=url, delay_auto_start_seconds=0),
        logging=LoggingConfig(log_level="WARNING", log_path=f"{work}/engine-logs/"),
    )
    return await AppEngine(app_config=app_config, plugins=[], enabled_groups=[]).start()


def checkpointed_bytes(folder: Path) -> int:
    """Bytes of the log files the streamer published and checkpointed (the sum of its checkpoints)."""
    total = 0
    for path in folder.glob("*.checkpoint.json"):
        try:
            total += int(json.loads(path.read_text(encoding="utf-8"))["offset"])
        except (OSError, ValueError):  # replaced while read: counted at the next look
            return -1
    return total


async def streamer_throughput(engine: AppEngine, work: Path) -> Tuple[float, "asyncio.Future[Any]"]:
    """Start the service; once every line is published and checkpointed, the seconds that took and its task.

    A checkpoint is saved once its batch is on the stream, so watching them costs the streamer
    nothing (decoding the stream meanwhile would take the CPU it needs).
    """
    size = sum(path.stat().st_size for path in (work / "logs").iterdir())
    start = time.perf_counter()
    task = asyncio.ensure_future(engine.service_loop(event_name="log_reader", wait_start=False))
    while checkpointed_bytes(work / "checkpoints") < size:
        await asyncio.sleep(0.002)
    return time.perf_counter() - start, task


def measure_lag(folder: Path, url: str, rate: int, seconds: float) -> List[float]:
    """Milliseconds from a line written to its entry read, for lines written at ``rate`` a second."""
    client: Any = redis.Redis.from_url(url)
    last_id = (client.xrevrange(STREAM, count=1) or [(b"0-0", {})])[0][0]
    total = int(rate * seconds) * 4 // 5  # the lifecycle ones
    lags: List[float] = []

    def read() -> None:
        nonlocal last_id
        while len(lags) < total:
            for _, messages in client.xread({STREAM: last_id}, block=2000) or []:
                for msg_id, fields in messages:
                    last_id = msg_id
                    now = time.time()
                    event = decode_message(fields, msg_id=msg_id, stream_name=STREAM, consumer_group="bench",
                                           datatypes=DATATYPES, track_headers=[])
                    assert not isinstance(event, Exception)
                    lags.extend((now - float(e.extra["track.request_id"])) * 1000 for e in event.payload.entries)

    reader = threading.Thread(target=read)
    reader.start()
    with open(folder / "bench_app_1x0_lag_host_1.log", "a", encoding="utf-8") as file:
        begin = time.perf_counter()
        for n in range(int(rate * seconds)):
            while time.perf_counter() < begin + n / rate:
                time.sleep(0.0002)
            file.write(log_line(99, n, time.time()) + "\n")
            file.flush()
    reader.join(timeout=60)
    client.close()
    return lags


def percentile(values: List[float], fraction: float) -> float:
    """The value at ``fraction`` of the sorted values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def main(args: argparse.Namespace) -> None:
    """Run the baseline, the streamer and the lag measure; print the figures."""
    server = RedisServer().start()
    try:
        with tempfile.TemporaryDirectory(prefix="log-streamer-bench-") as tmp:
            work = Path(tmp)
            expected = write_files(work / "logs", args.files, args.lines)
            client: Any = redis.Redis.from_url(server.url)
            base = min([await _fresh_baseline(work, server.url, client, args.batch) for _ in range(args.repeat)])
            client.flushall()
            engine = await start_engine(server.url, work, args.batch)
            streamed, service = await streamer_throughput(engine, work)
            assert entries_on_stream(client) == expected
            lags = await asyncio.get_running_loop().run_in_executor(
                None, measure_lag, work / "logs", server.url, args.lag_rate, args.lag_seconds
            )
            await engine.stop_event("log_reader")
            await service
            await engine.stop()
            client.close()
        print(f"{expected:,} lifecycle lines in {args.files} files of {args.lines:,} lines, batches of {args.batch}")
        print(f"baseline (plain Python, raw redis-py XADD of JSON): {expected / base:>12,.0f} lines/s")
        print(f"log-streamer (AppEngine SERVICE, redis-streams):    {expected / streamed:>12,.0f} lines/s"
              f"  ({base / streamed:.2f}x of baseline, aim >= 0.5x)")
        if lags:
            print(f"lag at {args.lag_rate} lines/s for {args.lag_seconds} s ({len(lags)} entries): "
                  f"p50 {percentile(lags, 0.5):.1f} ms, p99 {percentile(lags, 0.99):.1f} ms, "
                  f"mean {statistics.mean(lags):.1f} ms")
    finally:
        server.close()


async def _fresh_baseline(work: Path, url: str, client: Any, batch: int) -> float:
    client.flushall()
    return await baseline(work / "logs", url, batch)


def arguments() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--lines", type=int, default=25_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lag-rate", type=int, default=1000)
    parser.add_argument("--lag-seconds", type=float, default=5.0)
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(arguments()))
