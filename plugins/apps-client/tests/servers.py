"""Real ``hopeit_server run`` processes of the test apps, on loopback ports."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Dict, List, Optional

from hopeit.testing.servers import free_port, server_command

TESTS = Path(__file__).parent
SERVER_CONFIG = TESTS / "target_app" / "config" / "server.json"
TARGET_CONFIG = TESTS / "target_app" / "config" / "app-config.json"
CALLER_CONFIG = TESTS / "caller_app" / "config" / "app-config.json"
TARGET_BASE = "/api/target-app/1x0"
CALLER_BASE = "/api/caller-app/1x0"




class HopeitServer:
    """One ``hopeit_server run`` process; output goes to a file under ``workdir``."""

    def __init__(self, name: str, config_files: List[Path], env: Dict[str, str], workdir: Path,
                 ready_path: str, port: Optional[int] = None) -> None:
        self.name = name
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config_files = config_files
        self.env = {**os.environ, **env, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
        self.workdir = workdir
        self.ready_path = ready_path
        self.log = workdir / f"{name}.log"
        self.proc: Optional[subprocess.Popen[bytes]] = None

    def start(self) -> "HopeitServer":
        args = [*server_command(), "run", "--config-files", ",".join(str(p) for p in self.config_files),
                "--host", "127.0.0.1", "--port", str(self.port)]
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(args, env=self.env, cwd=self.workdir, stdout=out, stderr=subprocess.STDOUT)
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_ready(self, timeout: float = 30.0) -> "HopeitServer":
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(f"GET {self.ready_path} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
                    if sock.recv(16)[8:13] == b" 200 ":
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{self.name} not ready after {timeout} s:\n{self.output()}")

    def wait_exit(self, timeout: float = 30.0) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout=timeout)

    def kill(self) -> None:
        """Die at once, as a crashed host does (no graceful close of connections)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def start_all(servers: List[HopeitServer]) -> List[HopeitServer]:
    """Start processes together (start-up is mostly imports: they overlap well), then wait for each."""
    for server in servers:
        server.start()
    try:
        for server in servers:
            server.wait_ready()
    except AssertionError:
        for server in servers:
            server.stop()
        raise
    return servers


def target(name: str, workdir: Path, secrets: Path, port: Optional[int] = None) -> HopeitServer:
    """A host of ``target-app`` that names itself ``name`` in its answers."""
    env = {"APPS_CLIENT_TEST_SECRETS": str(secrets), "TARGET_HOST_NAME": name}
    return HopeitServer(name, [SERVER_CONFIG, TARGET_CONFIG], env, workdir, f"{TARGET_BASE}/whoami", port)


def caller(workdir: Path, secrets: Path, targets: List[HopeitServer],
           config: Path = CALLER_CONFIG) -> HopeitServer:
    """A host of ``caller-app`` whose connections reach ``targets``."""
    env = {"APPS_CLIENT_TEST_SECRETS": str(secrets), "TARGET_HOSTS": ",".join(t.url for t in targets),
           "TARGET_HOST_NAME": "unused"}
    return HopeitServer("caller", [SERVER_CONFIG, config], env, workdir, f"{CALLER_BASE}/ping")
