"""Web server benchmark: ``hopeit_server run`` beside bare aiohttp and FastAPI doing the same work.

The app (``web_bench_app``) is written the way hopeit apps usually are. Endpoints, served by every
server:

* ``get-plain``: GET answering a small data object from a plain ``def`` step, no ``__api__``;
* ``get-async``: the same from an ``async def`` step, ``__api__`` from ``event_api``;
* ``get-query``: the same with one declared query argument (``?item_id=...``);
* ``post-plain`` / ``post-async``: POST validating a ~1 KB nested data object and echoing it.

Targets: bare aiohttp with pydantic validation (the baseline), the same answering the headers
hopeit echoes for tracking (``bare + track``), FastAPI on uvicorn (when installed: ``pip install
fastapi uvicorn``), and hopeit at WARNING, at INFO (logging to files) and at WARNING with
``--api-auto`` (requests and responses validated against the generated OpenAPI spec). A diagnostic
target, ``hopeit-compact`` (only with ``--targets``), is hopeit at WARNING answering pydantic's
compact JSON instead of 0.24's JSON text (``web_bench_app/compact_json``): what that contract
costs, measured on the same server. Another, ``hopeit-metrics``, is hopeit at WARNING with
Prometheus metrics on (``api.metrics_path``), printed as a ratio to ``hopeit-warning`` (issue #18:
within 5%; ``--targets bare,hopeit-warning,hopeit-metrics``). The server
runs on one core and wrk (``-t1``) on the other; rounds are interleaved so that noise spreads over
every target. Printed per endpoint and target: requests per second (median of rounds), the ratio to
bare aiohttp (median of per-round ratios: each round loads every target back to back, so a slow
stretch of the machine hits both sides of a ratio) and server CPU microseconds per request; then
the issue #19 aims beside their figures, memory after load and start-to-first-answer. The aims are
ratios to ``bare + track``: the issue settles that the tracking headers hopeit echoes are part of
the 0.24 contract and that the comparison is with a bare server answering the same headers (the
ratio to plain bare aiohttp is printed beside each, in brackets).

Run: ``python benchmarks/web_bench.py [--rounds 3] [--seconds 3] [--connections 64]
[--targets bare,hopeit-warning] [--endpoints get-async,get-plain]`` (``BENCH_NO_PIN=1``: no pinning)
"""

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).parent))

from _servers import Target, free_port, run_load, server_cpus

HERE = Path(__file__).parent
PREFIX = "/api/bench/1x0"
#: endpoint name -> (path with query, POST body or None)
ENDPOINTS: Dict[str, Tuple[str, bool]] = {
    "get-plain": (f"{PREFIX}/get-plain", False),
    "get-async": (f"{PREFIX}/get-async", False),
    "get-query": (f"{PREFIX}/get-query?item_id=item-1", False),
    "post-plain": (f"{PREFIX}/post-plain", True),
    "post-async": (f"{PREFIX}/post-async", True),
}
READY = f"{PREFIX}/get-plain"
TARGETS = ("bare", "bare-track", "fastapi", "hopeit-warning", "hopeit-info", "hopeit-api-auto", "hopeit-compact",
           "hopeit-metrics")
#: targets that only explain a figure, not run unless asked for (``--targets``)
DIAGNOSTICS = ("hopeit-compact", "hopeit-metrics")
#: baseline of the aims: bare aiohttp answering the tracking headers hopeit echoes (the 0.24 contract)
AIM_BASE = "bare-track"
TITLES = {"bare": "bare aiohttp", "bare-track": "bare + track", "fastapi": "FastAPI",
          "hopeit-warning": "hopeit WARNING", "hopeit-info": "hopeit INFO", "hopeit-api-auto": "hopeit --api-auto",
          "hopeit-compact": "hopeit compact", "hopeit-metrics": "hopeit metrics"}


def nested_body() -> bytes:
    """A nested payload of about 1 KB."""
    parts = [{"name": f"part-{i}", "weight": i * 1.25, "tags": ["alpha", "beta", f"t{i}"]} for i in range(10)]
    body = {
        "id": "nested-1",
        "created": "2024-05-01T10:20:30+00:00",
        "parts": parts,
        "attributes": {f"key{i}": f"value-{i}" for i in range(6)},
        "owner": {"id": "owner-1", "email": "owner@example.com", "roles": ["admin", "writer"]},
    }
    return json.dumps(body).encode()


def write_configs(work: Path) -> Dict[str, Path]:
    """Server configs at WARNING and INFO, and the request body."""
    files = {"body": work / "nested.json"}
    files["body"].write_bytes(nested_body())
    for level in ("WARNING", "INFO"):
        server = {"logging": {"log_level": level, "log_path": f"{work}/logs-{level.lower()}/"},
                  "api": {"docs_path": "/api/docs"}}
        files[level] = work / f"server-{level.lower()}.json"
        files[level].write_text(json.dumps(server))
    files["METRICS"] = work / "server-metrics.json"  # WARNING with /metrics on (issue #18: within 5% of WARNING)
    files["METRICS"].write_text(json.dumps({"logging": {"log_level": "WARNING", "log_path": f"{work}/logs-metrics/"},
                                            "api": {"docs_path": "/api/docs", "metrics_path": "/metrics"}}))
    return files


def starter(name: str, files: Dict[str, Path], env: Dict[str, str]) -> Callable[[], Target]:
    """A function starting target ``name`` on a free port."""
    python = sys.executable
    hopeit_server = str(Path(python).parent / "hopeit_server")
    app_config = str(HERE / "web_bench_app" / "app-config.json")

    def start() -> Target:
        port = free_port()
        target_env = env
        if name.startswith("hopeit"):
            level = "INFO" if name == "hopeit-info" else "WARNING"
            server_config = files["METRICS"] if name == "hopeit-metrics" else files[level]
            command = [hopeit_server, "run", "--host", "127.0.0.1", "--port", str(port),
                       "--config-files", f"{server_config},{app_config}"]
            if name == "hopeit-api-auto":
                command += ["--api-auto", "1.0;bench;web benchmark"]
            if name == "hopeit-compact":
                compact = str(HERE / "web_bench_app" / "compact_json")
                target_env = {**env, "PYTHONPATH": os.pathsep.join((compact, env.get("PYTHONPATH", "")))}
        elif name == "fastapi":
            command = [python, "-m", "web_bench_app.fastapi_server", str(port)]
        else:
            command = [python, "-m", "web_bench_app.bare_server", str(port)]
            if name == "bare-track":
                command.append("--track")
        return Target(TITLES[name], command, target_env, port, READY)

    return start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--targets", default=",".join(t for t in TARGETS if t not in DIAGNOSTICS),
                        help=f"comma-separated, of {', '.join(TARGETS)}")
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS), help=f"comma-separated, of {', '.join(ENDPOINTS)}")
    options = parser.parse_args()
    names = [n for n in options.targets.split(",") if n]
    endpoints = [e for e in options.endpoints.split(",") if e]
    unknown = sorted(set(names) - set(TARGETS)) + sorted(set(endpoints) - set(ENDPOINTS))
    if unknown:
        parser.error(f"unknown target or endpoint: {', '.join(unknown)}")
    for index, base in enumerate(("bare", AIM_BASE)):
        if base not in names:
            names.insert(index, base)  # the ratios of the table are to the first, those of the aims to the second
    if "fastapi" in names and not all(importlib.util.find_spec(m) for m in ("fastapi", "uvicorn")):
        print("FastAPI left out: `pip install fastapi uvicorn` into this Python to compare with it")
        names.remove("fastapi")
    with tempfile.TemporaryDirectory(prefix="hopeit-web-bench-") as tmp:
        work = Path(tmp)
        files = write_configs(work)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(HERE), os.getenv("PYTHONPATH")) if p)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # servers start as users' do: from cached bytecode
        pinned = server_cpus()
        print(f"python {sys.version.split()[0]}; body {len(files['body'].read_bytes())} bytes; load generator: "
              f"{'wrk -t1' if shutil.which('wrk') else 'aiohttp'}; {options.connections} connections, "
              f"{options.seconds:.0f} s x {options.rounds} rounds; cpus={os.cpu_count()}, "
              f"server pinned to {sorted(pinned) if pinned else 'no core (one cpu)'}")
        starters = {name: starter(name, files, env) for name in names}
        targets = {name: starters[name]() for name in names}
        rps: Dict[Tuple[str, str], List[float]] = {}
        cpu: Dict[Tuple[str, str], List[float]] = {}
        try:
            for target in targets.values():  # warm up: imports, caches, pydantic adapters
                for endpoint in endpoints:
                    path, post = ENDPOINTS[endpoint]
                    run_load(target.port, path, files["body"] if post else None, 1, options.connections, work)
            for round_no in range(options.rounds):
                for endpoint in endpoints:
                    path, post = ENDPOINTS[endpoint]
                    order = names if round_no % 2 == 0 else list(reversed(names))
                    for name in order:
                        target = targets[name]
                        cpu_before = target.cpu_seconds()
                        value = run_load(target.port, path, files["body"] if post else None, options.seconds,
                                         options.connections, work)
                        cpu_used = target.cpu_seconds() - cpu_before
                        rps.setdefault((name, endpoint), []).append(value)
                        cpu.setdefault((name, endpoint), []).append(cpu_used * 1e6 / max(value * options.seconds, 1.0))
            memory = {name: target.memory_kib() for name, target in targets.items()}
        finally:
            for target in targets.values():
                target.stop()
        report(names, endpoints, rps, cpu, memory)
        report_starts(names, starters)


def ratio(rps: Dict[Tuple[str, str], List[float]], name: str, endpoint: str, base: str = "bare") -> Optional[float]:
    """Median of the per-round ratios of ``name`` to ``base`` on ``endpoint``, if both ran."""
    if (name, endpoint) not in rps or (base, endpoint) not in rps:
        return None
    return statistics.median(v / b for v, b in zip(rps[(name, endpoint)], rps[(base, endpoint)]))


def report(names: List[str], endpoints: List[str], rps: Dict[Tuple[str, str], List[float]],
           cpu: Dict[Tuple[str, str], List[float]], memory: Dict[str, Tuple[int, int]]) -> None:
    """Print the table, the aims of issue #19 beside their figures, and memory after load."""
    width = max(26, 1 + max(len(" ".join(f"{v:.0f}" for v in values)) for values in rps.values()))
    print(f"\n{'endpoint':<12}{'target':<19}{'req/s':>8}{'rounds':>{width}}{'ratio':>8}{'us cpu/req':>12}")
    for endpoint in endpoints:
        for name in names:
            values = rps[(name, endpoint)]
            rounds = " ".join(f"{v:.0f}" for v in values)
            print(f"{endpoint:<12}{TITLES[name]:<19}{statistics.median(values):>8.0f}{rounds:>{width}}"
                  f"{ratio(rps, name, endpoint) or 0:>8.2f}{statistics.median(cpu[(name, endpoint)]):>12.1f}")
    # the aims are ratios to bare aiohttp answering the same response headers: issue #19 settles that
    # the tracking headers are part of the 0.24 contract and says to compare with that server
    print("\naims (issue #19): ratio to bare aiohttp answering the same headers (bare + track) in this run; "
          "to plain bare aiohttp in brackets")
    aims = [("hopeit-warning", "get-async", 0.7), ("hopeit-warning", "get-query", 0.7),
            ("hopeit-info", "get-async", 0.6), ("hopeit-info", "get-query", 0.6),
            ("hopeit-api-auto", "get-async", 0.6), ("hopeit-api-auto", "get-query", 0.6),
            ("hopeit-warning", "post-async", 0.8), ("hopeit-warning", "post-plain", 0.8),
            ("hopeit-compact", "post-async", 0.8), ("hopeit-compact", "post-plain", 0.8)]
    for name, endpoint, aim in aims:
        value = ratio(rps, name, endpoint, base=AIM_BASE)
        if value is not None:
            verdict = "met" if value >= aim else "NOT MET"
            to_bare = ratio(rps, name, endpoint) or 0.0
            print(f"  {TITLES[name]:<19}{endpoint:<12}{value:>6.2f}  ({to_bare:.2f})   aim >= {aim}  {verdict}")
    for name in ("hopeit-warning", "hopeit-info"):
        for plain, async_ in (("get-plain", "get-async"), ("post-plain", "post-async")):
            if (name, plain) in cpu and (name, async_) in cpu:
                extra = statistics.median(a - p for a, p in zip(cpu[(name, async_)], cpu[(name, plain)]))
                print(f"  {TITLES[name]:<19}{async_} - {plain}: {extra:+.1f} us cpu/request (aim <= 5)")
    for endpoint in endpoints:
        value = ratio(rps, "hopeit-metrics", endpoint, base="hopeit-warning")
        if value is not None:
            print(f"  hopeit metrics / hopeit WARNING, {endpoint}: {value:.2f}   aim >= 0.95  "
                  f"{'met' if value >= 0.95 else 'NOT MET'}")
    for endpoint in endpoints:
        value = ratio(rps, "bare-track", endpoint)
        if value is not None:
            print(f"  bare + track / bare aiohttp (what answering the tracking headers costs), {endpoint}: {value:.2f}")
        value = ratio(rps, "hopeit-warning", endpoint, base="fastapi")
        if value is not None:
            print(f"  hopeit WARNING / FastAPI, {endpoint}: {value:.2f}")
    print("\nmemory after load (RSS / private, MiB):")
    for name, (rss, private) in memory.items():
        print(f"  {TITLES[name]:<19}{rss / 1024:>7.1f} / {private / 1024:.1f}")


def report_starts(names: List[str], starters: Dict[str, Callable[[], Target]]) -> None:
    """Start each server three times, interleaved, and print the median time to its first answer."""
    chosen = [n for n in ("bare", "fastapi", "hopeit-warning") if n in names]
    starts: Dict[str, List[float]] = {name: [] for name in chosen}
    for _ in range(3):
        for name in chosen:
            target = starters[name]()
            starts[name].append(target.first_answer)
            target.stop()
    print("\nstart to first answer (median of 3, s; benchmarks/startup_bench.py measures more):")
    for name, values in starts.items():
        print(f"  {TITLES[name]:<19}{statistics.median(values):>7.3f}   ({' '.join(f'{v:.3f}' for v in values)})")


if __name__ == "__main__":
    main()
