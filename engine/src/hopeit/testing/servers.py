"""Real ``hopeit_server run`` processes for end-to-end tests: a free port, the command, the process.

::

    from hopeit.testing.servers import HopeitServer

    server = HopeitServer("my-app", [server_json, app_json], tmp_path, pythonpath=[TESTS]).start()
    try:
        server.wait_ready()                       # GET /ready answers 200
        ...                                       # requests to server.url
    finally:
        server.stop()

Or, lower level, ``free_port()`` and ``server_command()`` for a ``subprocess.Popen`` of your own.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Collection, List, Mapping, Optional, Sequence, TypeVar, Union

from hopeit.testing.ports import free_port, listening_here

__all__ = ["HopeitServer", "free_port", "server_command"]

_Server = TypeVar("_Server", bound="HopeitServer")


def server_command() -> List[str]:
    """``hopeit_server`` installed beside the running Python, else the same CLI run as a module."""
    script = Path(sys.executable).parent / "hopeit_server"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hopeit.cli.server"]


class HopeitServer:
    """One ``hopeit_server run`` process on a loopback port; what it prints goes to ``<workdir>/<name>.out``.

    ``pythonpath`` folders go before ``PYTHONPATH`` (where the test apps live), ``env`` is added
    to this process's environment, ``args`` follow the ``run`` options (``--start-streams``...).
    ``start`` again after ``stop`` or ``kill`` restarts it on the same port, the log kept.
    """

    def __init__(
        self,
        name: str,
        config_files: Sequence[Union[str, Path]],
        workdir: Path,
        *,
        env: Optional[Mapping[str, str]] = None,
        args: Sequence[str] = (),
        pythonpath: Sequence[Union[str, Path]] = (),
        port: Optional[int] = None,
    ) -> None:
        self.name = name
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config_files = [str(path) for path in config_files]
        self.workdir = workdir
        paths = [str(path) for path in pythonpath]
        self.env = {**os.environ, **(env or {})}
        if paths:
            self.env["PYTHONPATH"] = os.pathsep.join([*paths, self.env.get("PYTHONPATH", "")])
        self.args = list(args)
        self.output_file = workdir / f"{name}.out"  # not .log: log-streamer tests follow *.log files
        self.proc: Optional[subprocess.Popen[bytes]] = None

    def start(self: _Server) -> _Server:
        """Start the process; returns at once (``wait_listening`` / ``wait_ready`` wait for it)."""
        command = [*server_command(), "run", "--config-files", ",".join(self.config_files),
                   "--host", "127.0.0.1", "--port", str(self.port), *self.args]
        with open(self.output_file, "ab") as out:
            self.proc = subprocess.Popen(command, env=self.env, cwd=self.workdir, stdout=out, stderr=subprocess.STDOUT)
        return self

    @property
    def pid(self) -> int:
        """The process id."""
        assert self.proc is not None, f"{self.name} was not started"
        return self.proc.pid

    def output(self) -> str:
        """What the process printed so far."""
        return self.output_file.read_text(errors="replace") if self.output_file.exists() else ""

    def status(self, path: str) -> Optional[int]:
        """The status of ``GET path``, or None when nothing answers."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1.0) as sock:
                sock.sendall(f"GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n".encode())
                head = sock.recv(16)
        except OSError:
            return None
        try:
            return int(head[9:12])
        except ValueError:
            return None

    def wait_listening(self: _Server, timeout: float = 60.0) -> _Server:
        """Wait until the server takes connections (its apps started by then)."""
        return self._wait(lambda: self._connects(), "not listening", timeout)

    def wait_ready(self: _Server, path: str = "/ready", timeout: float = 60.0,
                   statuses: Collection[int] = (200,)) -> _Server:
        """Wait until ``GET path`` answers one of ``statuses`` (``/ready``: 200 once everything runs)."""
        return self._wait(lambda: self.status(path) in statuses, f"not answering {path} with {sorted(statuses)}",
                          timeout)

    def _connects(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def _wait(self: _Server, done: Callable[[], bool], what: str, timeout: float) -> _Server:
        assert self.proc is not None, f"{self.name} was not started"
        deadline = time.monotonic() + timeout
        foreign = ""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode}{foreign}:\n{self.output()}")
            if done():
                if listening_here(self.port, self.proc.pid) is not False:
                    return self
                foreign = f" (another process listens on port {self.port}: its answers were not taken for ours)"
            time.sleep(0.05)
        raise AssertionError(f"{self.name} {what} after {timeout} s{foreign}:\n{self.output()}")

    def kill(self) -> None:
        """SIGKILL: the process dies at once, as in a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self, timeout: float = 20.0) -> Optional[int]:
        """SIGTERM, then SIGKILL if it has not stopped within ``timeout`` seconds; its exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.proc.returncode

    def __enter__(self: _Server) -> _Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
