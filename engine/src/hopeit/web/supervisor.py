"""The worker supervisor of ``--workers N``: N server processes on one port, started and stopped together.

Several workers share one port without a process manager library: each worker is a fresh Python
process serving the same apps. On TCP every worker binds the port with ``SO_REUSEPORT`` and the
kernel spreads new connections evenly across them; on a unix socket (``--path``) the supervisor
binds it once and the workers inherit it. The supervisor (this process) forwards SIGTERM/SIGINT
to the workers, waits for each to drain, and exits 0 when all of them did. A worker that dies
while serving is started again; if one fails to start, all are stopped and the exit code is 1.

Workers share nothing but the port: with the embedded memory streams each worker has streams of
its own, and with ``--start-streams`` every SERVICE event runs in every worker. The supervisor
says so at start, on the console and in its log.

Why not gunicorn: its aiohttp workers would add a dependency and a second signal-handling layer,
while the drain-on-SIGTERM semantics needed here are those of ``aiohttp.web.run_app`` already.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any, List, Optional

from hopeit.app.config import AppConfig, EventDescriptor, EventType
from hopeit.contracts.discovery import load_stream_manager_class
from hopeit.server import prometheus
from hopeit.server.config import ServerConfig
from hopeit.server.config_files import load_config_files
from hopeit.server.logger import engine_warning, init_logger
from hopeit.streams.memory import MemoryStreamManager
from hopeit.web.args import ServeArgs, max_workers
from hopeit.web.process import SUPERVISOR_ENV

__all__ = ["STARTUP_GRACE_SECONDS", "per_worker_warnings", "run_workers"]

#: A worker exiting sooner than this after start is taken as a start-up failure, not a crash.
STARTUP_GRACE_SECONDS = 15.0


def _worker_command(args: ServeArgs, fd: Optional[int]) -> List[str]:
    options = {**args._asdict(), "workers": 1}
    extra = ["--fd", str(fd)] if fd is not None else ["--reuse-port"]
    return [sys.executable, "-m", "hopeit.web", "--worker", json.dumps(options), *extra]


def _unix_socket(path: str) -> socket.socket:
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(path)
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def per_worker_warnings(server_config: ServerConfig, apps: List[AppConfig], args: ServeArgs, count: int) -> List[str]:
    """What runs once per worker, unlike in one server process: the warnings to give at start."""
    warnings: List[str] = []
    manager = server_config.streams.stream_manager
    if issubclass(load_stream_manager_class(manager), MemoryStreamManager):
        warnings.append(
            f"--workers {count} with the embedded memory streams (streams.stream_manager '{manager}'): each "
            "worker has streams of its own, so a message is read only by the worker that wrote it and is lost "
            "when that worker stops; set a shared stream manager (e.g. redis) to spread messages across workers"
        )
    if args.start_streams:
        groups = (EventDescriptor.DEFAULT_GROUP, *args.enabled_groups)
        services = [
            f"{app.app_key()}.{name}" for app in apps for name, event in app.events.items()
            if event.type == EventType.SERVICE and (not args.enabled_groups or event.group in groups)
        ]
        named = f" ({', '.join(services)})" if services else ""
        warnings.append(
            f"--workers {count} --start-streams: every SERVICE event{named}, and the __service__ of STREAM "
            f"events, runs once in each worker, {count} times in all"
        )
    return warnings


def _warn_at_start(args: ServeArgs, count: int) -> ServerConfig:
    """Warn about what each worker runs on its own; a bad config stops here, before any worker starts."""
    server_config, apps = load_config_files(args.config_files, strict=args.strict_config)
    warnings = per_worker_warnings(server_config, apps, args, count)
    if warnings:
        init_logger(server_config.logging)
        for text in warnings:
            engine_warning(text)
    return server_config


def run_workers(args: ServeArgs) -> None:
    """Run ``args.workers`` worker processes on one port (clamped to ``max_workers()``) until signalled.

    What each worker runs on its own (embedded memory streams, SERVICE events) is warned about first.
    """
    count = max(1, min(args.workers, max_workers()))
    metrics = bool(_warn_at_start(args, count).api.metrics_path)
    metrics_dir = prometheus.multiprocess_dir(metrics)  # the workers' metrics files, summed when scraped
    shared = _unix_socket(args.path) if args.path else None
    fd = shared.fileno() if shared is not None else None
    command = _worker_command(args, fd)

    def spawn() -> "subprocess.Popen[bytes]":
        # own session: a Ctrl-C in the terminal reaches the supervisor only, which forwards it once
        return subprocess.Popen(command, pass_fds=(fd,) if fd is not None else (), start_new_session=True,
                                env={**os.environ, SUPERVISOR_ENV: str(os.getpid())})

    workers = [spawn() for _ in range(count)]
    started = time.monotonic()
    stopping = False
    exit_code = 0

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            for proc in workers:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"hopeit.engine supervisor pid={os.getpid()} running {count} workers", flush=True)
    while any(proc.poll() is None for proc in workers):
        for i, proc in enumerate(workers):
            code = proc.poll()
            if code is None or stopping:
                continue
            if time.monotonic() - started < STARTUP_GRACE_SECONDS:
                exit_code = code or 1
                stop(signal.SIGTERM, None)
            else:
                print(f"hopeit.engine worker pid={proc.pid} exited with {code}: starting a new one", flush=True)
                if metrics:
                    prometheus.worker_exited(proc.pid)  # its requests in flight are no more; its counts stay
                workers[i] = spawn()
        time.sleep(0.1)
    if exit_code == 0 and any(proc.returncode not in (0, -signal.SIGTERM) for proc in workers):
        exit_code = 1
    prometheus.remove_dir(metrics_dir)
    if shared is not None:
        shared.close()
        if args.path and os.path.exists(args.path):
            os.unlink(args.path)
    sys.exit(exit_code)
