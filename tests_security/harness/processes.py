"""Real ``hopeit_server run`` processes, each in its own process group, on a free loopback port.

``ServerProcess.start`` returns once the server answers HTTP (any status), and fails with the
server's output when it exits first or does not answer in time. ``signal`` sends a signal to the
server (SIGTERM: the graceful stop an operator asks for), ``kill`` SIGKILLs its whole process group
(a crash); the fixtures always kill at teardown, so no test leaves a server behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence

from hopeit.testing.ports import listening_here
from simple_example import testing

__all__ = ["SUITE_DIR", "ServerFactory", "ServerProcess", "free_port", "memory_kb", "server_command"]

# one way to find hopeit_server and a free port, shared with simple-example's end-to-end tests
free_port = testing.free_port
server_command = testing.server_command

#: Folder of the suite: put on the servers' PYTHONPATH so they import the suite's own stream app.
SUITE_DIR = Path(__file__).resolve().parent.parent


def memory_kb(pid: int) -> Dict[str, int]:
    """``VmRSS`` (resident now) and ``VmHWM`` (peak resident) of a process, in kB, from /proc."""
    values: Dict[str, int] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    return values


class ServerProcess(testing.RunningServer):
    """One ``hopeit_server run`` serving ``config_files`` on 127.0.0.1:``port``, in a process group of its own.

    The command line, ``base_url`` and ``output`` are those of simple-example's ``RunningServer``;
    this one adds a name, readiness by an HTTP answer, a port retry, signals and a group kill.
    """

    def __init__(
        self,
        config_files: Sequence[Path],
        *,
        workdir: Path,
        start_streams: bool = True,
        api_auto: Optional[str] = "1.0;hopeit.engine security suite;attacks",
        env: Optional[Dict[str, str]] = None,
        name: str = "server",
    ) -> None:
        super().__init__(config_files, workdir=workdir, start_streams=start_streams, api_auto=api_auto, env=env)
        self.name = name
        self.output_path = workdir / f"{name}.out"

    @property
    def pid(self) -> int:
        """Process id of the running server."""
        assert self.process is not None, "the server is not running"
        return self.process.pid

    def start(self, timeout: float = 60.0) -> ServerProcess:
        """Start the server and wait until it answers HTTP.

        A port taken meanwhile by another process (the free port is only free when picked) is
        replaced by a new one, twice at most.

        :raises RuntimeError: it exited, or did not answer within ``timeout`` seconds (with its output).
        """
        for _ in range(3):
            printed = len(self.output())
            code = self._launch(timeout)
            if code is None:
                return self
            if "address already in use" not in self.output()[printed:].lower():
                break
            self.port = free_port()
        raise RuntimeError(f"{self.name} (hopeit_server) exited with {code} at start:\n{self.output()}")

    def _launch(self, timeout: float) -> Optional[int]:
        """Run the command; None once it answers HTTP, or its exit code when it exited first."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._output = self.output_path.open("ab")
        pythonpath = os.pathsep.join(p for p in (str(SUITE_DIR), os.environ.get("PYTHONPATH", "")) if p)
        self.process = subprocess.Popen(
            self.command(), cwd=str(self.workdir), stdout=self._output, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": pythonpath, **self.env},
            start_new_session=True,  # its own process group: teardown can end everything it started
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                self.kill()
                return code
            if self._answers() and self.process.poll() is None:
                if listening_here(self.port, self.process.pid) is not False:  # not another process on the port
                    return None
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"{self.name} (hopeit_server) did not answer on port {self.port} within {timeout}s:\n"
                           f"{self.output()}")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/security-suite-probe", timeout=1.0):
                return True
        except urllib.error.HTTPError:
            return True  # any HTTP answer (404 here) means the routes are up
        except OSError:
            return False

    def signal(self, signum: int) -> None:
        """Send ``signum`` to the server process alone."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signum)

    def wait(self, timeout: float) -> int:
        """Wait for the server to exit; its exit code.

        :raises subprocess.TimeoutExpired: it is still running after ``timeout`` seconds.
        """
        assert self.process is not None, "the server was not started"
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        """SIGKILL the server's process group at once (a crash), then release its files."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass  # the group is gone already
            self.process.wait()
            self.process = None
        if self._output is not None:
            self._output.close()
            self._output = None


#: The ``servers`` fixture: ``servers(layout, name=..., **ServerProcess options)`` -> a started server.
ServerFactory = Callable[..., ServerProcess]
