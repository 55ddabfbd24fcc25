"""Real ``hopeit_server run`` processes for the end-to-end tests: log-app, and the log-streamer on Redis."""

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from hopeit.log_streamer.plugin import config_path
from hopeit.testing.servers import free_port, server_command

TESTS = Path(__file__).parent
SERVER_CONFIG = TESTS / "log_app" / "config" / "server.json"
APP_CONFIG = TESTS / "log_app" / "config" / "app-config.json"
APP_BASE = "/api/log-app/1x0"




class HopeitServer:
    """One ``hopeit_server run`` process, its output in ``<workdir>/<name>.out``."""

    def __init__(self, name: str, config_files: List[Path], env: Dict[str, str], workdir: Path,
                 extra_args: Optional[List[str]] = None) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config_files = config_files
        pythonpath = os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])
        self.env = {**os.environ, **env, "PYTHONPATH": pythonpath}
        self.workdir = workdir
        self.extra_args = extra_args or []
        self.out = workdir / f"{name}.out"
        self.proc: Optional[subprocess.Popen[bytes]] = None

    def start(self) -> "HopeitServer":
        """Start the process (a restart keeps the port)."""
        args = [*server_command(), "run", "--config-files", ",".join(str(p) for p in self.config_files),
                "--host", "127.0.0.1", "--port", str(self.port), *self.extra_args]
        with open(self.out, "ab") as out:
            self.proc = subprocess.Popen(args, env=self.env, cwd=self.workdir, stdout=out, stderr=subprocess.STDOUT)
        return self

    def output(self) -> str:
        """What the process printed."""
        return self.out.read_text(errors="replace") if self.out.exists() else ""

    def wait_listening(self, timeout: float = 60.0) -> "HopeitServer":
        """Wait until the server accepts connections (it started its apps by then)."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"{self.name} not listening after {timeout} s:\n{self.output()}")

    def kill(self) -> None:
        """SIGKILL: die at once, as a crash does."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not stop within 20 s."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def streamer_config(workdir: Path, logs: Path, checkpoints: Path, **settings: Any) -> Path:
    """A copy of the packaged plugin config with ``log_reader`` settings under ``workdir``."""
    config = json.loads(config_path().read_text(encoding="utf-8"))
    config["settings"]["log_reader"].update(
        logs_path=f"{logs}/", checkpoint_path=f"{checkpoints}/", **settings
    )
    config["settings"]["hopeit.log-streamer.logs"]["target_max_len"] = 0  # keep every entry for the checks
    path = workdir / "log-streamer-config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def environment(redis_url: str, logs: Path, workdir: Path) -> Dict[str, str]:
    """Variables the test server config reads."""
    return {
        "LOG_STREAMER_TEST_REDIS": redis_url,
        "LOG_STREAMER_TEST_LOGS": f"{logs}/",
        "LOG_STREAMER_TEST_SECRETS": str(workdir / "secrets"),
    }


def log_app(workdir: Path, env: Dict[str, str]) -> HopeitServer:
    """The server of log-app."""
    return HopeitServer("log-app", [SERVER_CONFIG, APP_CONFIG], env, workdir)


def streamer(workdir: Path, env: Dict[str, str], plugin_config: Path) -> HopeitServer:
    """A dedicated log-streamer server, as the README says to run one per node."""
    return HopeitServer("log-streamer", [SERVER_CONFIG, plugin_config], env, workdir, ["--start-streams"])
