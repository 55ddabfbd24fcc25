"""Start-up benchmark: ``hopeit_server run`` beside FastAPI on uvicorn and bare aiohttp serving the same app.

The app is ``web_bench_app`` (``async def`` steps, ``__api__`` from ``event_api``, a query argument,
a POST validating a ~1 KB body), served at WARNING without ``--api-auto``/``--api-file``: the
servers a typical deployment runs. ``FastAPI`` is ``web_bench_app.fastapi_server`` (one worker, no
access log, uvicorn's HTTP parser for what is installed), ``bare aiohttp`` is
``web_bench_app.bare_server``. ``hopeit --api-auto`` (docs and request validation on) is shown
for what those cost.

Each round starts every server once, in an order that turns from round to round:

* start rounds (``--rounds``) measure the time from starting the process to the first 200 on a GET,
  and the resident memory (RSS) right after that answer;
* load rounds (``--load-rounds``) measure RSS after a short wrk load on a GET and a POST, and start
  each server once more under ``python -X importtime``: the modules it imports, grouped by
  top-level package (self time, and cumulative time of the imports entering the package).

Printed: medians of the rounds with the ratio to FastAPI (the median of the per-round ratios) and
the issue #19 aim (at most 1.00 for start-up and memory), then the top packages of hopeit's
imports. Python writes bytecode caches for every server (``PYTHONDONTWRITEBYTECODE`` is dropped for
them) and one untimed start of each comes first, so compiling sources is not measured: installed
packages ship compiled or compile once. The machine's other work shows as spread between rounds:
compare ratios, and run twice before trusting a difference of a few percent.

FastAPI and uvicorn are optional: without them (``pip install fastapi uvicorn``) the rest is printed.

Run: ``python benchmarks/startup_bench.py [--rounds 10] [--load-rounds 3] [--load-seconds 2] [--top 15]``
"""

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

sys.path.insert(0, str(Path(__file__).parent))

from _servers import Target, answers, free_port, run_load, server_cpus

HERE = Path(__file__).parent
PREFIX = "/api/bench/1x0"
READY = f"{PREFIX}/get-query?item_id=item-1"
GET_PATH = f"{PREFIX}/get-async"
POST_PATH = f"{PREFIX}/post-async"
TARGETS = ("bare", "fastapi", "hopeit", "hopeit-api-auto")
TITLES = {"bare": "bare aiohttp", "fastapi": "FastAPI", "hopeit": "hopeit WARNING",
          "hopeit-api-auto": "hopeit --api-auto"}
MIB = 1024.0


#: figure -> (column title, width, decimals)
FIGURES = {"start": ("start s", 9, 3), "rss_start": ("RSS start", 11, 1), "rss_load": ("RSS load", 10, 1)}
Figures = Dict[str, Dict[str, List[float]]]  # figure -> target -> one value per round


def nested_body() -> bytes:
    """The ~1 KB body the POST validates and echoes."""
    parts = [{"name": f"part-{i}", "weight": i * 1.25, "tags": ["alpha", "beta", f"t{i}"]} for i in range(10)]
    return json.dumps({
        "id": "nested-1", "created": "2024-05-01T10:20:30+00:00", "parts": parts,
        "attributes": {f"key{i}": f"value-{i}" for i in range(6)},
        "owner": {"id": "owner-1", "email": "owner@example.com", "roles": ["admin", "writer"]},
    }).encode()


def server_command(name: str, work: Path, port: int) -> List[str]:
    """The command line starting target ``name`` on ``port``, as a user starts it."""
    python = sys.executable
    if name.startswith("hopeit"):
        script = Path(python).parent / "hopeit_server"
        entry = [python, str(script)] if script.exists() else [python, "-m", "hopeit.cli.server"]
        command = [*entry, "run", "--host", "127.0.0.1", "--port", str(port),
                   "--config-files", f"{work / 'server.json'},{HERE / 'web_bench_app' / 'app-config.json'}"]
        return command + (["--api-auto", "1.0;bench;start-up benchmark"] if name == "hopeit-api-auto" else [])
    module = "web_bench_app.fastapi_server" if name == "fastapi" else "web_bench_app.bare_server"
    return [python, "-m", module, str(port)]


def measure(name: str, work: Path, env: Dict[str, str], load_seconds: float, connections: int) -> Dict[str, float]:
    """Start ``name`` and wait for its first answer; with ``load_seconds``, load it briefly. Then stop it."""
    port = free_port()
    target = Target(TITLES[name], server_command(name, work, port), env, port, READY)
    try:
        found = {"start": target.first_answer, "rss_start": target.memory_kib()[0] / MIB}
        if load_seconds > 0:
            run_load(port, GET_PATH, None, load_seconds, connections, work)
            run_load(port, POST_PATH, work / "nested.json", load_seconds, connections, work)
            found["rss_load"] = target.memory_kib()[0] / MIB
    finally:
        target.stop()
    return found


class Imported(NamedTuple):
    """One line of ``-X importtime``: a module, its own import time and the time with its imports (us)."""

    module: str
    self_us: int
    cumulative_us: int
    depth: int


def import_times(name: str, work: Path, env: Dict[str, str]) -> List[Imported]:
    """The modules target ``name`` imports until its first answer, from ``python -X importtime``."""
    port = free_port()
    command = server_command(name, work, port)
    command[1:1] = ["-X", "importtime"]
    log = work / f"importtime-{name}.txt"
    with log.open("wb") as err:
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err)
        started = time.perf_counter()
        try:
            while not answers(port, READY):
                if proc.poll() is not None or time.perf_counter() - started > 60:
                    raise RuntimeError(f"{name} under -X importtime did not answer: {log.read_text()[-2000:]}")
                time.sleep(0.01)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    found = []
    for line in log.read_text().splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, module = line.split(":", 1)[1].split("|")
        depth = (len(module) - len(module.lstrip(" "))) // 2
        found.append(Imported(module.strip(), int(self_us), int(cumulative_us), depth))
    return found


def top_package(module: str) -> Optional[str]:
    """The top-level package of a module."""
    return module.split(".")[0]


def hopeit_subpackage(module: str) -> Optional[str]:
    """``web``, ``server``, ... for hopeit's modules (``hopeit`` for the package itself); None for others."""
    parts = module.split(".")
    return None if parts[0] != "hopeit" else (parts[1] if len(parts) > 1 else "hopeit")


def by_package(imported: List[Imported], key: Callable[[str], Optional[str]] = top_package,
               ) -> Dict[str, Tuple[int, int, int]]:
    """Package (``key`` of the module; None leaves it out) -> (self us, cumulative us, modules).

    The cumulative time of a package adds up the imports that enter it from outside (its first
    module imported by another package, or by the script): what importing it brought along.
    """
    result: Dict[str, Tuple[int, int, int]] = {}
    # -X importtime prints a module after the modules it imported: its parent is the next line
    # that is one level less indented
    parents: List[Optional[str]] = [None] * len(imported)
    pending: Dict[int, List[int]] = {}
    for index, entry in enumerate(imported):
        for child in pending.pop(entry.depth + 1, []):
            parents[child] = entry.module
        pending.setdefault(entry.depth, []).append(index)
    for entry, parent in zip(imported, parents):
        package = key(entry.module)
        if package is None:
            continue
        self_us, cumulative_us, count = result.get(package, (0, 0, 0))
        entering = parent is None or key(parent) != package
        result[package] = (self_us + entry.self_us, cumulative_us + (entry.cumulative_us if entering else 0), count + 1)
    return result


def median_ratio(values: List[float], base: List[float]) -> float:
    """Median of the per-round ratios (each round measures both sides back to back)."""
    return statistics.median(v / b for v, b in zip(values, base))


def report(names: List[str], figures: Figures) -> None:
    """The table of start-up and memory figures, with ratios to FastAPI when it ran."""
    line = f"\n{'target':<20}"
    for title, width, _ in FIGURES.values():
        line += f"{title:>{width}}{'/FastAPI':>9}"
    print(line + "   (s, MiB; medians)")
    for name in names:
        line = f"{TITLES[name]:<20}"
        for figure, (_, width, digits) in FIGURES.items():
            values, base = figures[figure][name], figures[figure].get("fastapi")
            line += f"{statistics.median(values):>{width}.{digits}f}"
            line += f"{median_ratio(values, base):>9.2f}" if base else f"{'-':>9}"
        print(line)
    if "fastapi" in names and "hopeit" in names:
        print("\naim (issue #19): hopeit at most FastAPI's start-up and memory, in the same run")
        for figure, title in (("start", "start to first answer"), ("rss_start", "RSS after start"),
                              ("rss_load", "RSS after load")):
            value = median_ratio(figures[figure]["hopeit"], figures[figure]["fastapi"])
            print(f"  {title:<24}{value:>7.3f}x FastAPI   {'met' if value <= 1.0 else 'NOT MET'}")


def report_imports(runs: Dict[str, List[List[Imported]]], top: int) -> None:
    """Module count and import time of each target (ratio to FastAPI), then hopeit's top packages."""
    print("\nimports until the first answer (-X importtime, which slows imports down; medians of rounds):")
    totals = {name: [sum(e.self_us for e in log) / 1000 for log in logs] for name, logs in runs.items()}
    for name, logs in runs.items():
        modules = statistics.median(len(log) for log in logs)
        ratio = f"{median_ratio(totals[name], totals['fastapi']):>6.2f}x FastAPI" if "fastapi" in totals else ""
        print(f"  {TITLES[name]:<20}{modules:>6.0f} modules  {statistics.median(totals[name]):>7.1f} ms  {ratio}")
    hopeit = runs.get("hopeit")
    if not hopeit:
        return
    print(f"\nhopeit WARNING: top {top} packages by import time (self: their own modules; cumulative: "
          "with what they import)")
    _print_packages([by_package(log) for log in hopeit], top)
    print("\nhopeit WARNING: its own modules by subpackage")
    _print_packages([by_package(log, hopeit_subpackage) for log in hopeit], top)


def _print_packages(grouped: List[Dict[str, Tuple[int, int, int]]], top: int) -> None:
    packages = sorted({p for g in grouped for p in g},
                      key=lambda p: -statistics.median(g.get(p, (0, 0, 0))[0] for g in grouped))
    print(f"  {'package':<26}{'self ms':>9}{'cumulative ms':>15}{'modules':>9}")
    for package in packages[:top]:
        values = [g.get(package, (0, 0, 0)) for g in grouped]
        print(f"  {package:<26}{statistics.median(v[0] for v in values) / 1000:>9.1f}"
              f"{statistics.median(v[1] for v in values) / 1000:>15.1f}{statistics.median(v[2] for v in values):>9.0f}")


def describe_fastapi() -> str:
    """Versions of FastAPI and uvicorn, and the HTTP parser and loop uvicorn picks here."""
    from importlib.metadata import version

    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"FastAPI {version('fastapi')} on uvicorn {version('uvicorn')} (http {http}, loop {loop})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=10, help="rounds of starts (start-up, RSS after start)")
    parser.add_argument("--load-rounds", type=int, default=3, help="rounds of start + load (RSS after load, imports)")
    parser.add_argument("--load-seconds", type=float, default=2.0, help="wrk seconds on the GET and on the POST")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--top", type=int, default=15, help="packages of hopeit's imports to list")
    parser.add_argument("--targets", default=",".join(TARGETS), help=f"comma-separated, of {', '.join(TARGETS)}")
    options = parser.parse_args()
    names = [n for n in options.targets.split(",") if n]
    if sorted(set(names) - set(TARGETS)):
        parser.error(f"unknown target: {', '.join(sorted(set(names) - set(TARGETS)))}")
    fastapi = all(importlib.util.find_spec(m) for m in ("fastapi", "uvicorn"))
    if "fastapi" in names and not fastapi:
        print("FastAPI left out (no ratios to it): `pip install fastapi uvicorn` into this Python to compare with it")
        names.remove("fastapi")
    with tempfile.TemporaryDirectory(prefix="hopeit-startup-bench-") as tmp:
        work = Path(tmp)
        (work / "server.json").write_text(json.dumps({"logging": {"log_level": "WARNING",
                                                                  "log_path": f"{work}/logs/"}}))
        (work / "nested.json").write_bytes(nested_body())
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE), os.getenv("PYTHONPATH")) if p)
        pinned = server_cpus()
        print(f"python {sys.version.split()[0]}; {options.rounds} start rounds, {options.load_rounds} load rounds; "
              f"load: "
              f"{'wrk -t1' if shutil.which('wrk') else 'aiohttp client'} {options.load_seconds:g} s GET + "
              f"{options.load_seconds:g} s POST, {options.connections} connections; "
              f"server pinned to {sorted(pinned) if pinned else 'no core (one cpu)'}")
        if "fastapi" in names:
            print(describe_fastapi())
        for name in names:  # untimed: bytecode caches, first-run effects of the file system
            measure(name, work, env, 0, options.connections)
        figures: Figures = {figure: {name: [] for name in names} for figure in FIGURES}
        imports: Dict[str, List[List[Imported]]] = {name: [] for name in names if name in ("bare", "fastapi", "hopeit")}
        # start-up: many short rounds, each starting every target once, in an order turning each round
        for round_no in range(options.rounds):
            for name in names[round_no % len(names):] + names[:round_no % len(names)]:
                for figure, value in measure(name, work, env, 0, options.connections).items():
                    figures[figure][name].append(value)
        # memory after load, and what each server imports
        for round_no in range(options.load_rounds):
            for name in names[round_no % len(names):] + names[:round_no % len(names)]:
                figures["rss_load"][name].append(
                    measure(name, work, env, options.load_seconds, options.connections)["rss_load"])
            for name in imports:
                imports[name].append(import_times(name, work, env))
        report(names, figures)
        report_imports(imports, options.top)


if __name__ == "__main__":
    main()
