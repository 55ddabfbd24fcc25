"""Running the server from the command line, in one process or in several (``--workers N``).

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

import asyncio
import gc
import json
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any, List, NoReturn, Optional

from aiohttp import web
from hopeit.app.config import AppConfig, EventDescriptor, EventType
from hopeit.contracts.discovery import load_stream_manager_class
from hopeit.server.config import ServerConfig
from hopeit.server.config_files import load_config_files
from hopeit.server.logger import engine_warning, exit_process, init_logger
from hopeit.server.web import ServeArgs, access_log_options, check_worker_class, serve
from hopeit.server.web_response import DRAINING
from hopeit.streams.memory import MemoryStreamManager

__all__ = ["max_workers", "per_worker_warnings", "run_app", "run_cli", "run_workers", "serve_app", "worker_main"]

#: A worker exiting sooner than this after start is taken as a start-up failure, not a crash.
STARTUP_GRACE_SECONDS = 15.0
#: Seconds in-flight requests get to finish on shutdown before they are cancelled.
SHUTDOWN_TIMEOUT = 30.0


def serve_app(
    web_app: web.Application, *, host: str, port: Optional[int], path: Optional[str], sock: Any,
    reuse_port: bool, announce: str, shutdown_timeout: float = SHUTDOWN_TIMEOUT,
) -> None:
    """Serve ``web_app`` until SIGTERM or SIGINT, then drain and return (a second signal exits at once).

    Draining gives requests in flight ``shutdown_timeout`` seconds, then cancels them. A signal
    during start-up stops the server as soon as start-up ends, without serving: the signal is
    never lost (on Python < 3.12 ``asyncio.wait_for`` can swallow a cancellation).
    """
    asyncio.run(_serve_until_signalled(web_app, host, port, path, sock, reuse_port, announce, shutdown_timeout))


_SUPERVISOR_ENV = "HOPEIT_SUPERVISOR_PID"


async def _watch_supervisor(pid: int, stop: asyncio.Event) -> None:
    """Stop a worker whose supervisor is gone (killed without the chance to stop its workers)."""
    while not stop.is_set():
        await asyncio.sleep(1.0)
        if os.getppid() != pid:
            print(f"hopeit.engine worker pid={os.getpid()}: supervisor {pid} is gone, stopping", flush=True)
            stop.set()


async def _serve_until_signalled(
    web_app: web.Application, host: str, port: Optional[int], path: Optional[str], sock: Any,
    reuse_port: bool, announce: str, shutdown_timeout: float,
) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def on_signal() -> None:
        if stop.is_set():
            print("hopeit.engine: second signal, exiting without draining", file=sys.stderr)
            exit_process(1)
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal)
    DRAINING.reset()
    runner = web.AppRunner(
        web_app, handle_signals=False, shutdown_timeout=shutdown_timeout, **access_log_options(web_app)
    )
    stopped = asyncio.ensure_future(stop.wait())
    supervisor = os.getenv(_SUPERVISOR_ENV)
    watchdog = asyncio.ensure_future(_watch_supervisor(int(supervisor), stop)) if supervisor else None
    try:
        setup = asyncio.ensure_future(runner.setup())
        await asyncio.wait({setup, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if not setup.done():
            setup.cancel()
        try:
            await setup
        except asyncio.CancelledError:
            pass
        if stop.is_set():
            return
        sites: List[web.BaseSite] = []
        if sock is not None:
            sites.append(web.SockSite(runner, sock))
        elif path is not None:
            sites.append(web.UnixSite(runner, path))
        else:
            sites.append(web.TCPSite(runner, host, port, reuse_port=reuse_port or None))
        for site in sites:
            await site.start()
        # What start-up built (modules, configs, schemas) lives as long as the server: keep it out
        # of the collector's full passes, which otherwise walk it again and again under load.
        gc.freeze()
        print(announce, flush=True)
        await stopped
    finally:
        stopped.cancel()
        if watchdog is not None:
            watchdog.cancel()
        # responses still to be written say Connection: close, so clients do not reuse connections
        # that are closed once they are written; idle ones are closed at once by cleanup
        DRAINING.start()
        await runner.cleanup()  # stops taking requests, waits for those in flight, runs on_cleanup


def max_workers() -> int:
    """Upper bound of ``--workers``: ``2 x cpu + 1``."""
    return 2 * (os.cpu_count() or 1) + 1


def _fail(exc: BaseException) -> NoReturn:
    print(f"hopeit_server: error: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
    if os.getenv("HOPEIT_TRACEBACK"):
        import traceback

        traceback.print_exception(type(exc), exc, exc.__traceback__)
    sys.exit(1)


def run_cli(args: ServeArgs, *, reuse_port: bool = False, sock: Any = None) -> None:
    """Serve ``args``; a start-up failure prints one line (``HOPEIT_TRACEBACK=1`` adds the trace) and exits 1."""
    try:
        serve(*args, reuse_port=reuse_port, sock=sock)
    except (Exception, AssertionError) as exc:  # noqa: BLE001 - any start-up failure is reported the same way
        _fail(exc)


def run_app(
    host: str, port: Optional[int], path: Optional[str], config_files: List[str], api_file: Optional[str],
    api_auto: List[str], start_streams: bool, enabled_groups: List[str], workers: int = 1,
    worker_class: Optional[str] = None, worker_timeout: float = 0,
) -> None:
    """Entry point kept from the gunicorn-based runner, as ``hopeit_server run`` takes its flags.

    ``worker_timeout``: seconds a stopping worker lets requests in flight finish (30 when 0).
    ``worker_class``: only the aiohttp worker (``GunicornWebWorker``) is accepted, with a note on
    stderr; any other, or a negative timeout, prints one line and exits 1.
    """
    try:
        if worker_timeout < 0:
            raise ValueError(f"worker_timeout {worker_timeout:g}: give 0 (the default, 30 s) or more seconds")
        note = check_worker_class(worker_class)
    except ValueError as exc:
        _fail(exc)
    if note is not None:
        print(f"hopeit_server: note: {note}", file=sys.stderr, flush=True)
    run_cli(ServeArgs(host, port, path, start_streams, config_files, api_file, api_auto, enabled_groups, workers,
                      worker_timeout))


def _worker_command(args: ServeArgs, fd: Optional[int]) -> List[str]:
    options = {**args._asdict(), "workers": 1}
    extra = ["--fd", str(fd)] if fd is not None else ["--reuse-port"]
    return [sys.executable, "-m", "hopeit.server.wsgi", "--worker", json.dumps(options), *extra]


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


def _warn_at_start(args: ServeArgs, count: int) -> None:
    """Warn about what each worker runs on its own; a bad config stops here, before any worker starts."""
    server_config, apps = load_config_files(args.config_files)
    warnings = per_worker_warnings(server_config, apps, args, count)
    if warnings:
        init_logger(server_config.logging)
        for text in warnings:
            engine_warning(text)


def run_workers(args: ServeArgs) -> None:
    """Run ``args.workers`` worker processes on one port (clamped to ``max_workers()``) until signalled.

    What each worker runs on its own (embedded memory streams, SERVICE events) is warned about first.
    """
    count = max(1, min(args.workers, max_workers()))
    _warn_at_start(args, count)
    shared = _unix_socket(args.path) if args.path else None
    fd = shared.fileno() if shared is not None else None
    command = _worker_command(args, fd)

    def spawn() -> "subprocess.Popen[bytes]":
        # own session: a Ctrl-C in the terminal reaches the supervisor only, which forwards it once
        return subprocess.Popen(command, pass_fds=(fd,) if fd is not None else (), start_new_session=True,
                                env={**os.environ, _SUPERVISOR_ENV: str(os.getpid())})

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
                workers[i] = spawn()
        time.sleep(0.1)
    if exit_code == 0 and any(proc.returncode not in (0, -signal.SIGTERM) for proc in workers):
        exit_code = 1
    if shared is not None:
        shared.close()
        if args.path and os.path.exists(args.path):
            os.unlink(args.path)
    sys.exit(exit_code)


def worker_main(argv: Optional[List[str]] = None) -> None:
    """Entry point of a worker process started by ``run_workers``."""
    values = list(sys.argv[1:] if argv is None else argv)
    options = json.loads(values[values.index("--worker") + 1])
    args = ServeArgs(**options)
    if "--fd" in values:
        sock = socket.socket(fileno=int(values[values.index("--fd") + 1]))
        run_cli(args._replace(path=None), sock=sock)
    else:
        run_cli(args, reuse_port=True)


if __name__ == "__main__":  # pragma: no cover - worker processes
    from hopeit.server.wsgi import worker_main as _worker_main

    _worker_main()
