"""Run ``hopeit_server`` in a subprocess, for end-to-end tests of simple-example and of apps calling it.

::

    server = RunningServer([server_json, app_json], workdir=tmp_path, start_streams=True).start()
    try:
        ...  # HTTP calls to server.base_url
    finally:
        server.stop()

The server binds a free loopback port. ``start`` returns once the port accepts connections (the
server starts its apps, running SETUP events, before it listens) and fails with the server's
output when it exits or does not listen in time. ``stop`` sends SIGTERM, so the server drains and
stops its stream loops as it would in production, and kills it only if it does not exit.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any, Dict, List, Optional, Sequence, Union

from hopeit.testing.ports import listening_here
from hopeit.testing.servers import free_port

#: Route prefix of simple-example's events.
APP_ROUTE = "/api/simple-example/1x0"

__all__ = ["APP_ROUTE", "RunningServer", "free_port", "server_command", "simple_example_configs"]



def server_command() -> List[str]:
    """The ``hopeit_server`` script installed with the engine in the running interpreter's environment.

    :raises RuntimeError: the script is not installed (install ``hopeit.engine[web,cli]``).
    """
    script = Path(sys.executable).parent / "hopeit_server"
    if script.exists():
        return [str(script)]
    found = shutil.which("hopeit_server")
    if found is None:
        raise RuntimeError(f"hopeit_server not found beside {sys.executable} nor on PATH: "
                           'pip install "hopeit.engine[web,cli]"')
    return [found]


class RunningServer:
    """A ``hopeit_server run`` process serving ``config_files`` on a free port of 127.0.0.1."""

    def __init__(
        self,
        config_files: Sequence[Union[str, Path]],
        *,
        workdir: Path,
        start_streams: bool = True,
        api_auto: Optional[str] = "1.0;hopeit.engine tests;end-to-end tests",
        env: Optional[Dict[str, str]] = None,
        port: Optional[int] = None,
    ) -> None:
        self.config_files = [str(path) for path in config_files]
        self.workdir = workdir
        self.start_streams = start_streams
        self.api_auto = api_auto
        self.env = dict(env or {})
        self.port = port or free_port()
        self.output_path = workdir / f"hopeit_server-{self.port}.out"
        self.process: Optional[subprocess.Popen[bytes]] = None
        self._output: Optional[IO[Any]] = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> List[str]:
        """The command line that starts the server."""
        args = [*server_command(), "run", "--config-files", ",".join(self.config_files),
                "--host", "127.0.0.1", "--port", str(self.port)]
        if self.start_streams:
            args.append("--start-streams")
        if self.api_auto is not None:
            args += ["--api-auto", self.api_auto]
        return args

    def output(self) -> str:
        """What the server printed so far (stdout and stderr)."""
        return self.output_path.read_text(errors="replace") if self.output_path.exists() else ""

    def start(self, timeout: float = 60.0) -> "RunningServer":
        """Start the server and wait until it listens.

        :raises RuntimeError: the server exited, or did not listen within ``timeout`` seconds (with its output).
        """
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._output = self.output_path.open("wb")
        self.process = subprocess.Popen(
            self.command(), cwd=str(self.workdir), stdout=self._output, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env},
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                self.stop()
                raise RuntimeError(f"hopeit_server exited with {code} at start:\n{self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    pass
            except OSError:
                time.sleep(0.1)
                continue
            if listening_here(self.port, self.process.pid) is not False:  # not another process on the port
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"hopeit_server did not listen on port {self.port} within {timeout}s:\n{self.output()}")

    def stop(self, timeout: float = 30.0) -> Optional[int]:
        """Stop the server with SIGTERM (kill after ``timeout`` seconds); returns its exit code."""
        code: Optional[int] = None
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            code = self.process.returncode
            self.process = None
        if self._output is not None:
            self._output.close()
            self._output = None
        return code


def simple_example_configs(
    config_dir: Path,
    folder: Path,
    *,
    stream_manager: str = "memory",
    secrets_location: Optional[Path] = None,
    settings: Optional[Dict[str, Dict[str, Any]]] = None,
) -> List[Path]:
    """Server and app config of simple-example for tests, written to ``folder``; returns both paths.

    Data goes to ``folder/data``, logs to ``folder/logs``, app keys to ``secrets_location`` (default
    ``folder/.secrets``), and streams start at once. ``stream_manager`` ``"redis"`` uses
    ``server-redis.json`` (which reads ``HOPEIT_REDIS_URL``). ``settings`` sections are overlaid
    on the app's.
    """
    folder.mkdir(parents=True, exist_ok=True)
    server_name = "server-redis.json" if stream_manager == "redis" else "server.json"
    server: Dict[str, Any] = json.loads((config_dir / server_name).read_text())
    server["auth"]["secrets_location"] = str(secrets_location or folder / ".secrets")
    server["logging"]["log_path"] = f"{folder / 'logs'}/"
    server.setdefault("streams", {})["delay_auto_start_seconds"] = 0
    app: Dict[str, Any] = json.loads((config_dir / "app-config.json").read_text())
    app["env"]["storage"]["base_path"] = str(folder / "data")
    for key, values in (settings or {}).items():
        app["settings"].setdefault(key, {}).update(values)
    paths = [folder / "server.json", folder / "app-config.json"]
    for path, data in zip(paths, (server, app)):
        path.write_text(json.dumps(data, indent=2))
    return paths
