"""Nothing of prometheus-client is imported by a server without metrics; with them, it is, at start."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest
from metrics_support import APP_CONFIG, server_config

TESTS = str(Path(__file__).parent.parent)

_STARTED = """
import asyncio, json, sys
from aiohttp import web
from hopeit.web.server import init_web_server

async def main():
    app = init_web_server(sys.argv[1].split(","))
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()  # engines start, routes are added
    print(json.dumps(sorted(m for m in sys.modules if m.startswith(("prometheus_client", "hopeit.server.prom")))))
    await runner.cleanup()

asyncio.run(main())
"""


def _loaded(config_files: List[str]) -> List[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (TESTS, os.environ.get("PYTHONPATH")) if p)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    done = subprocess.run([sys.executable, "-c", _STARTED, ",".join(config_files)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    modules: List[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return modules


@pytest.mark.parametrize("metrics_path", [None, ""])
def test_a_server_without_metrics_imports_no_prometheus_client(tmp_path: Path, metrics_path: str) -> None:
    loaded = _loaded([server_config(tmp_path, metrics_path=metrics_path), APP_CONFIG])
    assert loaded == ["hopeit.server.prometheus"]  # the hooks' own module: no third-party import


def test_a_server_with_metrics_loads_prometheus_client_at_start(tmp_path: Path) -> None:
    loaded = _loaded([server_config(tmp_path), APP_CONFIG])
    assert "prometheus_client" in loaded and "hopeit.server.prometheus_export" in loaded
