"""dataframes-example run as a user runs it: ``hopeit_server run`` with its configs, data under a temporary folder."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List, Optional

import pytest
from hopeit.dataframes.plugin import config_path
from hopeit.testing.servers import free_port

pytest_plugins = ["hopeit.testing.redis"]

EXAMPLE = Path(__file__).parent.parent
BASE = "/api/dataframes-example/1x0"



def write_json(path: Path, data: Dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, indent=2))
    return path


def configs(tmp_path: Path, server_file: str, streams: Optional[Dict[str, Any]] = None) -> List[Path]:
    """The example's configs, as a user passes them, with every folder under ``tmp_path``."""
    server = json.loads((EXAMPLE / "config" / server_file).read_text())
    server.pop("plugins")  # the plugin config is passed below, with its datasets under tmp_path
    server["auth"]["secrets_location"] = str(tmp_path / ".secrets")
    server["streams"] = {**server.get("streams", {}), "delay_auto_start_seconds": 0, **(streams or {})}
    plugin = json.loads(config_path().read_text())
    plugin["settings"]["dataset_serialization"]["location"] = str(tmp_path / "datasets")
    app = json.loads((EXAMPLE / "config" / "app-config.json").read_text())
    app["env"]["storage"]["base_path"] = str(tmp_path / "data")
    return [write_json(tmp_path / "server.json", server), write_json(tmp_path / "plugin.json", plugin),
            write_json(tmp_path / "app-config.json", app)]


class ExampleServer:
    """``hopeit_server run --start-streams --api-auto ...`` of the example; output in ``server.log``."""

    def __init__(self, tmp_path: Path, config_files: List[Path]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{BASE}"
        self.log = tmp_path / "server.log"
        script = shutil.which("hopeit_server", path=str(Path(sys.executable).parent))
        command = [script] if script else [sys.executable, "-m", "hopeit.cli.server"]
        args = [*command, "run", "--config-files", ",".join(map(str, config_files)), "--host", "127.0.0.1",
                "--port", str(self.port), "--start-streams", "--api-auto", "1.0;dataframes-example;tests"]
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(args, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ))

    def wait_ready(self, timeout: float = 90.0) -> "ExampleServer":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{self.log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(f"GET {BASE}/experiment?experiment_id=none HTTP/1.0\r\nHost: x\r\n\r\n".encode())
                    if sock.recv(16)[8:13] == b" 404 ":
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server not ready after {timeout} s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[ExampleServer]:
    started = ExampleServer(tmp_path, configs(tmp_path, "server.json"))
    try:
        yield started.wait_ready()
    finally:
        started.stop()
