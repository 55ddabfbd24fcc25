"""A real ``hopeit_server run`` process of df-app, with the dataframes plugin, on a loopback port."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Dict, List, Optional

from hopeit.testing.servers import free_port, server_command

TESTS = Path(__file__).parent
CONFIG = TESTS / "df_app" / "config"
BASE = "/api/df-app/1x0"




class HopeitServer:
    """One ``hopeit_server run`` process; its output goes to ``<workdir>/server.log``."""

    def __init__(self, config_files: List[Path], env: Dict[str, str], workdir: Path, ready_path: str,
                 extra_args: Optional[List[str]] = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config_files = config_files
        self.env = {**os.environ, **env,
                    "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
        self.workdir = workdir
        self.ready_path = ready_path
        self.extra_args = extra_args or []
        self.log = workdir / "server.log"
        self.proc: Optional[subprocess.Popen[bytes]] = None

    def start(self) -> "HopeitServer":
        args = [*server_command(), "run", "--config-files", ",".join(str(p) for p in self.config_files),
                "--host", "127.0.0.1", "--port", str(self.port), *self.extra_args]
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(args, env=self.env, cwd=self.workdir, stdout=out, stderr=subprocess.STDOUT)
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_ready(self, timeout: float = 60.0) -> "HopeitServer":
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(f"GET {self.ready_path} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
                    if sock.recv(16)[8:13] in (b" 200 ", b" 404 "):
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server not ready after {timeout} s:\n{self.output()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def df_app_server(workdir: Path, data_path: Path, server_config: Path = CONFIG / "server.json",
                  env: Optional[Dict[str, str]] = None) -> HopeitServer:
    """df-app with the dataframes plugin (datasets under ``<data_path>/datasets``), streams started."""
    files = [server_config, CONFIG / "plugin-config.json", CONFIG / "app-config.json"]
    return HopeitServer(files, {"DF_APP_DATA": str(data_path), **(env or {})}, workdir,
                        f"{BASE}/summary?key=ready", ["--start-streams", "--api-auto", "1.0;df-app;tests"])
