"""apps-visualizer: latency of the page's refresh endpoints for a graph of 50 apps.

The page fetches ``apps/events-graph`` (or ``event-stats/live``) every 5 seconds. This script
measures those endpoints on a real ``hopeit_server`` running config-manager and apps-visualizer,
whose hosts list points at one "cluster" host answering ``runtime-apps-config`` with 50 apps
(copies of simple-example, as a real server reports it, each under its own name). The cluster host
is asked again only every ``refresh_hosts_seconds``, so what is measured is the refresh itself:
filter, graph, cytoscape elements, live classes, JSON.

Baseline, measured in the same run on the same server: config-manager's ``runtime-apps-config``
(the server's own apps, no graph). Target: p99 <= 50 ms for the refresh endpoints.

Run from the repository root with the apps-visualizer tox env::

    .tox/py312-apps_visualizer/bin/python benchmarks/apps_visualizer_bench.py [--requests 300]
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Tuple

from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins" / "apps-visualizer" / "tests"))

from servers import cluster_server  # noqa: E402
from simple_example.testing import RunningServer, free_port  # noqa: E402

APPS = 50
RUNTIME_APPS = "/api/config-manager/1x0/runtime-apps-config"


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        body: bytes = response.read()
        assert response.status == 200, url
        return body


def fifty_apps(simple_example: RunningServer, expand_events: bool) -> bytes:
    """A ``RuntimeApps`` body of 50 copies of simple-example, each app and stream renamed."""
    flag = "true" if expand_events else "false"
    real = json.loads(fetch(f"{simple_example.base_url}{RUNTIME_APPS}?expand_events={flag}"))
    template = json.dumps(real["apps"]["simple_example.1x0"])
    apps: Dict[str, Any] = {}
    for i in range(APPS):
        copy = template.replace("simple_example.1x0", f"simple_example_{i}.1x0").replace(
            '"simple-example"', f'"simple-example-{i}"')
        apps[f"simple_example_{i}.1x0"] = json.loads(copy)
    return json.dumps({"apps": apps, "server_status": {}}).encode()


def serve_cluster_host(bodies: Dict[bool, bytes]) -> Tuple[str, threading.Event]:
    """A host answering runtime-apps-config with ``bodies`` (by expand_events), in a thread."""
    port, stop, started = free_port(), threading.Event(), threading.Event()

    async def runtime_apps(request: web.Request) -> web.Response:
        expanded = request.query.get("expand_events", "false").lower() == "true"
        return web.Response(body=bodies[expanded], content_type="application/json")

    async def main() -> None:
        app = web.Application()
        app.router.add_get(RUNTIME_APPS, runtime_apps)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        started.set()
        while not stop.is_set():
            await asyncio.sleep(0.1)
        await runner.cleanup()

    threading.Thread(target=lambda: asyncio.run(main()), daemon=True).start()
    started.wait(10)
    return f"http://127.0.0.1:{port}", stop


def latencies(url: str, requests: int) -> List[float]:
    fetch(url)  # warm: the first call asks the cluster host
    found = []
    for _ in range(requests):
        start = time.perf_counter()
        fetch(url)
        found.append((time.perf_counter() - start) * 1000)
    return found


def p(values: List[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    os.environ.setdefault("HOPEIT_APPS_VISUALIZER_HOSTS", "in-process")
    with tempfile.TemporaryDirectory() as tmp:
        simple = cluster_server(Path(tmp) / "simple", client_example=False).start()
        try:
            bodies = {flag: fifty_apps(simple, flag) for flag in (False, True)}
        finally:
            simple.stop()
        host, stop_host = serve_cluster_host(bodies)
        visualizer = cluster_server(Path(tmp) / "visualizer", client_example=False, visualizer=True,
                                    visualizer_hosts=host).start()
        try:
            base = visualizer.base_url
            cases = [
                ("baseline: config-manager runtime-apps-config (own apps)", f"{base}{RUNTIME_APPS}"),
                ("apps/events-graph, 50 apps", f"{base}/api/apps-visualizer/1x0/apps/events-graph"),
                ("apps/events-graph, 50 apps, expanded_view",
                 f"{base}/api/apps-visualizer/1x0/apps/events-graph?expanded_view=true"),
                ("event-stats/live, 50 apps", f"{base}/api/apps-visualizer/1x0/event-stats/live?live=true"),
            ]
            graph = json.loads(fetch(cases[1][1]))["graph"]["data"]
            print(f"graph of {APPS} apps: {len(graph)} elements, "
                  f"{len(fetch(cases[1][1])) // 1024} KiB per refresh; {args.requests} sequential requests each")
            print(f"{'endpoint':<58} {'p50 ms':>8} {'p99 ms':>8}")
            for name, url in cases:
                values = latencies(url, args.requests)
                print(f"{name:<58} {p(values, 50):8.1f} {p(values, 99):8.1f}")
            print("target: refresh endpoints p99 <= 50 ms")
        finally:
            visualizer.stop()
            stop_host.set()


if __name__ == "__main__":
    main()
