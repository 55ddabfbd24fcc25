"""One server process: serve an aiohttp app until SIGTERM or Ctrl-C, then drain and stop.

A second signal exits at once (after writing the log lines the process had buffered). A worker
started by the supervisor (``hopeit.web.supervisor``) also stops when its supervisor is gone.
"""

import asyncio
import gc
import logging
import os
import signal
import sys
from typing import Any, Callable, Dict, List, Optional, Union

from aiohttp import web
from hopeit.server.config import ServerConfig
from hopeit.server.logger import EngineLoggerWrapper, engine_logger, exit_process
from hopeit.web.malformed import AIOHTTP_SERVER_LOGGER, MalformedRequests
from hopeit.web.response import DRAINING, AccessLine

__all__ = ["SHUTDOWN_TIMEOUT", "SUPERVISOR_ENV", "access_log_options", "serve_app"]

#: Seconds in-flight requests get to finish on shutdown before they are cancelled.
SHUTDOWN_TIMEOUT = 30.0
#: Environment variable naming the supervisor's pid in the workers it starts.
SUPERVISOR_ENV = "HOPEIT_SUPERVISOR_PID"


class _PendingLogger:
    """Stands for the engine logger, which exists once the server started, in access lines."""

    def __init__(self, logger: Any) -> None:
        self.logger = logger

    def info(self, context: Any, msg: Any) -> None:
        found: Optional[EngineLoggerWrapper] = self.logger()
        if found is not None:
            found.info(context, msg)


def access_log_options(server_config: Optional[ServerConfig], logger: Any) -> Dict[str, Any]:
    """``web.AppRunner`` options writing access lines when the server config logs at INFO or below.

    ``logger`` is a callable giving the engine logger, which exists once the server started. At
    WARNING and above aiohttp is given no access logger at all, so requests pay nothing for it.
    """
    if server_config is None:
        return {"access_log": None}
    level = logging.getLevelName(server_config.logging.log_level)
    if isinstance(level, int) and level <= logging.INFO:
        return {"access_log": _PendingLogger(logger), "access_log_class": AccessLine}
    return {"access_log": None}


def serve_app(
    web_app: web.Application, *, host: str, port: Optional[int], path: Optional[str], sock: Any,
    reuse_port: bool, announce: Union[str, Callable[[], str]], shutdown_timeout: float = SHUTDOWN_TIMEOUT,
    runner_options: Optional[Dict[str, Any]] = None,
) -> None:
    """Serve ``web_app`` until SIGTERM or SIGINT, then drain and return (a second signal exits at once).

    ``announce`` is printed once the server listens (a function: its text, made then).

    Draining gives requests in flight ``shutdown_timeout`` seconds, then cancels them. A signal
    during start-up stops the server as soon as start-up ends, without serving: the signal is
    never lost (on Python < 3.12 ``asyncio.wait_for`` can swallow a cancellation).
    """
    asyncio.run(_serve_until_signalled(
        web_app, host, port, path, sock, reuse_port, announce, shutdown_timeout, runner_options or {"access_log": None}
    ))


async def _watch_supervisor(pid: int, stop: asyncio.Event) -> None:
    """Stop a worker whose supervisor is gone (killed without the chance to stop its workers)."""
    while not stop.is_set():
        await asyncio.sleep(1.0)
        if os.getppid() != pid:
            print(f"hopeit.engine worker pid={os.getpid()}: supervisor {pid} is gone, stopping", flush=True)
            stop.set()


async def _serve_until_signalled(
    web_app: web.Application, host: str, port: Optional[int], path: Optional[str], sock: Any,
    reuse_port: bool, announce: Union[str, Callable[[], str]], shutdown_timeout: float, runner_options: Dict[str, Any],
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
    # requests aiohttp cannot parse: a line in the engine log now and then, not a traceback each on stderr
    malformed = MalformedRequests(lambda text: engine_logger().warning("server", text))
    logging.getLogger(AIOHTTP_SERVER_LOGGER).addFilter(malformed)
    runner = web.AppRunner(
        web_app, handle_signals=False, shutdown_timeout=shutdown_timeout, **runner_options
    )
    stopped = asyncio.ensure_future(stop.wait())
    supervisor = os.getenv(SUPERVISOR_ENV)
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
        print(announce if isinstance(announce, str) else announce(), flush=True)
        await stopped
    finally:
        stopped.cancel()
        if watchdog is not None:
            watchdog.cancel()
        # responses still to be written say Connection: close, so clients do not reuse connections
        # that are closed once they are written; idle ones are closed at once by cleanup
        DRAINING.start()
        await runner.cleanup()  # stops taking requests, waits for those in flight, runs on_cleanup
        logging.getLogger(AIOHTTP_SERVER_LOGGER).removeFilter(malformed)
