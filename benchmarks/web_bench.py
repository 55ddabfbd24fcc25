"""Web server benchmark: ``hopeit_server run`` beside a bare aiohttp server doing the same work.

Two endpoints, served by each server:

* GET returning a small data object (``{"id": ..., "count": ..., "label": ...}``);
* POST validating a ~1 KB nested data object with pydantic and echoing it.

The bare server is plain aiohttp with pydantic ``TypeAdapter`` validation and JSON output; a second
copy of it (``bare + track``) also answers the headers hopeit echoes for tracking (two new ids, a
timestamp and the app), to tell what that part of the contract costs apart from the rest. hopeit
runs at WARNING and at INFO level (logging to files). Load comes from a second process on loopback
(``wrk`` when installed, else a small aiohttp-client load generator), in interleaved rounds so
that noise from other processes spreads over every target. Printed per target and endpoint:
requests per second (median of rounds), ratio to bare aiohttp (the median of the per-round ratios:
each round measures every target back to back, so a slow stretch of the machine hits both sides of
a ratio), server CPU milliseconds per request; then resident memory after the load and
start-to-first-answer time.

Run: ``.venv/bin/python benchmarks/web_bench.py [--rounds 5] [--seconds 5] [--connections 32]``
"""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

MODELS = '''
from dataclasses import dataclass, field
from datetime import datetime
from typing import Dict, List, Optional

from hopeit.dataobjects import dataobject


@dataobject
@dataclass
class Small:
    id: str
    count: int
    label: str


@dataobject
@dataclass
class Part:
    name: str
    weight: float
    tags: List[str] = field(default_factory=list)


@dataobject
@dataclass
class Owner:
    id: str
    email: str
    roles: List[str] = field(default_factory=list)


@dataobject(event_id="id")
@dataclass
class Nested:
    id: str
    created: datetime
    parts: List[Part]
    attributes: Dict[str, str] = field(default_factory=dict)
    owner: Optional[Owner] = None
'''

GET_EVENT = '''
from hopeit.app.context import EventContext
from bench_app import Small

__steps__ = ["small"]


def small(payload: None, context: EventContext) -> Small:
    return Small(id="item-1", count=42, label="a small data object")
'''

POST_EVENT = '''
from hopeit.app.context import EventContext
from bench_app import Nested

__steps__ = ["echo"]


def echo(payload: Nested, context: EventContext) -> Nested:
    return payload
'''

BARE_SERVER = '''
import itertools
import sys
from datetime import datetime, timezone
from aiohttp import web
from pydantic import TypeAdapter
from bench_app import Nested, Small

SMALL = TypeAdapter(Small)
NESTED = TypeAdapter(Nested)
TRACK = "--track" in sys.argv  # answer with the headers hopeit echoes: new ids, a timestamp, the app
COUNTER = itertools.count()


def json_response(body):
    if not TRACK:
        return web.Response(body=body, content_type="application/json")
    return web.Response(body=body, headers={
        "X-Track-Operation-Id": "6f1c1d2e-4a3b-4c5d-8e9f-%012x" % next(COUNTER),
        "X-Track-Request-Id": "6f1c1d2e-4a3b-4c5d-8e9f-%012x" % next(COUNTER),
        "X-Track-Request-Ts": datetime.now(tz=timezone.utc).isoformat(),
        "X-Event-App": "bench.1x0",
        "Content-Type": "application/json",
    })


async def get_small(request: web.Request) -> web.Response:
    body = SMALL.dump_json(Small(id="item-1", count=42, label="a small data object"))
    return json_response(body)


async def post_nested(request: web.Request) -> web.Response:
    try:
        payload = NESTED.validate_json(await request.read())
    except ValueError as exc:
        return web.Response(status=400, text=str(exc))
    return json_response(NESTED.dump_json(payload, exclude_none=True))


app = web.Application()
app.router.add_get("/api/bench/1x0/get-small", get_small)
app.router.add_post("/api/bench/1x0/post-nested", post_nested)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
'''

GET_PATH = "/api/bench/1x0/get-small"
POST_PATH = "/api/bench/1x0/post-nested"

LOADGEN = '''
import asyncio, sys, time
import aiohttp

async def main(url, method, body, seconds, connections):
    count = 0
    deadline = time.monotonic() + seconds
    headers = {"Content-Type": "application/json"}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections)) as session:
        async def worker():
            nonlocal count
            while time.monotonic() < deadline:
                async with session.request(method, url, data=body, headers=headers) as resp:
                    await resp.read()
                    count += resp.status == 200
        await asyncio.gather(*(worker() for _ in range(connections)))
    print(count / seconds)

url, method, body_file, seconds, connections = sys.argv[1:6]
body = open(body_file, "rb").read() if body_file != "-" else None
asyncio.run(main(url, method, body, float(seconds), int(connections)))
'''


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(port: int, path: str = GET_PATH) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(f"GET {path} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
            return sock.recv(16)[8:13] == b" 200 "
    except OSError:
        return False


def wait_first_answer(proc: "subprocess.Popen[bytes]", port: int, started: float, timeout: float = 30) -> float:
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.communicate()[0].decode()[-2000:]}")
        if answers(port):
            return time.perf_counter() - started
        time.sleep(0.005)
    raise RuntimeError("server did not answer")


class Target:
    """A running server under test."""

    def __init__(self, name: str, command: List[str], env: Dict[str, str], port: int) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.port = port
        started = time.perf_counter()
        self.proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.first_answer = wait_first_answer(self.proc, port, started)

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def memory_kib(self) -> Tuple[int, int]:
        """Resident set size and unique (private) memory of the server process."""
        rss = next(int(line.split()[1]) for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines()
                   if line.startswith("VmRSS"))
        rollup = Path(f"/proc/{self.proc.pid}/smaps_rollup").read_text().splitlines()
        private = sum(int(line.split()[1]) for line in rollup if line.startswith(("Private_Clean", "Private_Dirty")))
        return rss, private

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()


def run_load(port: int, path: str, body_file: Optional[Path], seconds: float, connections: int,
             work: Path) -> float:
    """Requests per second over ``seconds`` from a separate load-generator process."""
    url = f"http://127.0.0.1:{port}{path}"
    wrk = shutil.which("wrk")
    if wrk:
        args = [wrk, "-t1", f"-c{connections}", f"-d{int(seconds)}s", url]
        if body_file is not None:
            script = work / "post.lua"
            script.write_text(
                'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                f"wrk.body = [[{body_file.read_text()}]]\n"
            )
            args[1:1] = ["-s", str(script)]
        out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
        if "Non-2xx" in out:
            raise RuntimeError(f"errors under load:\n{out}")
        return float(next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec")))
    loadgen = work / "loadgen.py"
    loadgen.write_text(LOADGEN)
    method = "POST" if body_file is not None else "GET"
    out = subprocess.run([sys.executable, str(loadgen), url, method, str(body_file or "-"), str(seconds),
                          str(connections)], capture_output=True, text=True, check=True).stdout
    return float(out.strip())


def write_app(work: Path) -> Dict[str, Path]:
    pkg = work / "bench_app"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(textwrap.dedent(MODELS))
    (pkg / "get_small.py").write_text(textwrap.dedent(GET_EVENT))
    (pkg / "post_nested.py").write_text(textwrap.dedent(POST_EVENT))
    (work / "bare_server.py").write_text(textwrap.dedent(BARE_SERVER))
    app = {"app": {"name": "bench", "version": "1.0"}, "engine": {"import_modules": ["bench_app"]},
           "events": {"get_small": {"type": "GET"}, "post_nested": {"type": "POST"}}}
    (work / "app.json").write_text(json.dumps(app))
    files = {"app": work / "app.json", "body": work / "nested.json"}
    (work / "nested.json").write_bytes(nested_body())
    for level in ("WARNING", "INFO"):
        server = {"logging": {"log_level": level, "log_path": f"{work}/logs-{level.lower()}/"}}
        files[level] = work / f"server-{level.lower()}.json"
        files[level].write_text(json.dumps(server))
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=32)
    options = parser.parse_args()
    hopeit_server = str(Path(sys.executable).parent / "hopeit_server")
    with tempfile.TemporaryDirectory(prefix="hopeit-web-bench-") as tmp:
        work = Path(tmp)
        files = write_app(work)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(work), os.getenv("PYTHONPATH")) if p)}
        body = files["body"]
        print(f"body {len(body.read_bytes())} bytes; load generator: {'wrk' if shutil.which('wrk') else 'aiohttp'}; "
              f"{options.connections} connections, {options.seconds:.0f} s x {options.rounds} rounds; "
              f"cpus={os.cpu_count()}")

        def hopeit(level: str) -> Target:
            port = free_port()
            return Target(f"hopeit {level}", [hopeit_server, "run", "--host", "127.0.0.1", "--port", str(port),
                                              "--config-files", f"{files[level]},{files['app']}"], env, port)

        def bare(track: bool = False) -> Target:
            port = free_port()
            name, extra = ("bare + track", ["--track"]) if track else ("bare aiohttp", [])
            return Target(name, [sys.executable, str(work / "bare_server.py"), str(port), *extra], env, port)

        targets = [bare(), bare(track=True), hopeit("WARNING"), hopeit("INFO")]
        rps: Dict[Tuple[str, str], List[float]] = {}
        cpu: Dict[Tuple[str, str], List[float]] = {}
        try:
            for target in targets:  # warm up: imports, caches, pydantic adapters
                run_load(target.port, GET_PATH, None, 1, options.connections, work)
                run_load(target.port, POST_PATH, body, 1, options.connections, work)
            for round_no in range(options.rounds):
                for endpoint, path, body_file in (("GET", GET_PATH, None), ("POST", POST_PATH, body)):
                    order = targets if round_no % 2 == 0 else list(reversed(targets))
                    for target in order:
                        cpu_before = target.cpu_seconds()
                        value = run_load(target.port, path, body_file, options.seconds, options.connections, work)
                        cpu_used = target.cpu_seconds() - cpu_before
                        rps.setdefault((target.name, endpoint), []).append(value)
                        cpu.setdefault((target.name, endpoint), []).append(
                            cpu_used * 1000.0 / max(value * options.seconds, 1.0))
            memory = {t.name: t.memory_kib() for t in targets}
        finally:
            for target in targets:
                target.stop()

        print(f"\n{'target':<16}{'endpoint':<9}{'req/s':>10}{'rounds':>36}{'ratio':>8}{'cpu ms/req':>12}")
        for endpoint in ("GET", "POST"):
            base = rps[("bare aiohttp", endpoint)]
            for target in targets:
                values = rps[(target.name, endpoint)]
                ratio = statistics.median(v / b for v, b in zip(values, base))
                rounds = " ".join(f"{v:.0f}" for v in values)
                print(f"{target.name:<16}{endpoint:<9}{statistics.median(values):>10.0f}{rounds:>36}{ratio:>8.2f}"
                      f"{statistics.median(cpu[(target.name, endpoint)]):>12.3f}")
        for endpoint in ("GET", "POST"):
            ratios = [h / b for h, b in zip(rps[("hopeit WARNING", endpoint)], rps[("bare + track", endpoint)])]
            print(f"hopeit WARNING / bare + track (the same response headers), {endpoint}: "
                  f"{statistics.median(ratios):.2f}")
        print("\nmemory after load (RSS / private, MiB):")
        for name, (rss, private) in memory.items():
            print(f"  {name:<16}{rss / 1024:>7.1f} / {private / 1024:.1f}")

        starts: Dict[str, List[float]] = {"bare aiohttp": [], "hopeit WARNING": []}
        for _ in range(3):
            for make in (bare, lambda: hopeit("WARNING")):
                target = make()
                starts[target.name].append(target.first_answer)
                target.stop()
        print("\nstart to first answer (median of 3, s):")
        for name, values in starts.items():
            print(f"  {name:<16}{statistics.median(values):>7.3f}   ({' '.join(f'{v:.3f}' for v in values)})")


if __name__ == "__main__":
    main()
