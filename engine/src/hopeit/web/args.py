"""Command-line arguments of the server: ``hopeit_server run`` and ``python -m hopeit.web`` share them.

In a module of their own so that the server, the worker supervisor and the CLI all read them
without importing each other.
"""

import argparse
import os
import sys
from typing import List, NamedTuple, Optional, Sequence

from hopeit.server.config_files import split_config_files

__all__ = [
    "AIOHTTP_WORKER_CLASSES",
    "ServeArgs",
    "add_serve_arguments",
    "check_worker_class",
    "max_workers",
    "parse_args",
    "serve_args",
]


def max_workers() -> int:
    """Upper bound of ``--workers``: ``2 x cpu + 1``."""
    return 2 * (os.cpu_count() or 1) + 1


class ServeArgs(NamedTuple):
    """Command-line options of the server."""

    host: str
    port: Optional[int]
    path: Optional[str]
    start_streams: bool
    config_files: List[str]
    api_file: Optional[str]
    api_auto: List[str]
    enabled_groups: List[str]
    workers: int
    #: seconds a stopping worker lets requests in flight finish; 0 for the default (30)
    worker_timeout: float = 0.0
    #: log lines on the console too (stderr): None for "when stdout is a terminal"
    console_log: Optional[bool] = None
    #: refuse to start when a config file holds unknown keys (else each is warned about)
    strict_config: bool = False


#: ``--worker-class`` values of 0.24 command lines (gunicorn) naming what the built-in workers are
AIOHTTP_WORKER_CLASSES = ("GunicornWebWorker", "aiohttp.GunicornWebWorker", "aiohttp.worker.GunicornWebWorker")


def check_worker_class(name: Optional[str]) -> Optional[str]:
    """The note to show for a ``--worker-class`` of a 0.24 command line, or None when none was given.

    :raises ValueError: for any class but the aiohttp worker, which is what the built-in workers are.
    """
    if name is None:
        return None
    if name in AIOHTTP_WORKER_CLASSES:
        return f"--worker-class {name}: workers are built in (aiohttp) and no longer run by gunicorn; the flag can go"
    raise ValueError(
        f"--worker-class {name}: workers are built in (aiohttp, asyncio event loop) and no longer run by gunicorn, "
        "so no other worker class can be used: drop the flag"
    )


def add_serve_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The flags of ``hopeit_server run`` and ``python -m hopeit.web``."""
    parser.add_argument("--config-files", action="append", required=True,
                        help="server config, then plugin and app configs (comma-separated or repeated)")
    parser.add_argument("--host", default="0.0.0.0", help="address to bind (default 0.0.0.0)")
    parser.add_argument("--port", type=int, default=None, help="TCP port (default 8020)")
    parser.add_argument("--path", default=None, help="unix socket path (instead of host and port)")
    parser.add_argument("--start-streams", action="store_true", help="start STREAM and SERVICE events")
    parser.add_argument("--enabled-groups", action="append", default=[], help="event groups to run (default: all)")
    parser.add_argument("--api-file", default=None, help="OpenAPI JSON file the apps must match")
    parser.add_argument("--api-auto", default=None, help='build the OpenAPI spec: "version;title;description"')
    parser.add_argument("--workers", type=int, default=1,
                        help="processes serving the same port (default 1, at most 2 x cpu + 1)")
    parser.add_argument("--worker-timeout", type=float, default=0.0, metavar="SECONDS",
                        help="seconds a stopping worker lets requests in flight finish (default 0: 30 s)")
    console = parser.add_mutually_exclusive_group()
    console.add_argument("--console-log", dest="console_log", action="store_const", const=True, default=None,
                         help="write log lines to the console (stderr) too; the default when stdout is a terminal")
    console.add_argument("--no-console-log", dest="console_log", action="store_const", const=False,
                         help="log to files only, even from a terminal")
    parser.add_argument("--strict-config", action="store_true",
                        help="refuse to start when a config file holds keys its model does not take "
                             "(default: warn about each, naming the closest valid key)")
    # 0.24 command lines name gunicorn's aiohttp worker: accepted with a note, any other is refused
    parser.add_argument("--worker-class", default=None, help=argparse.SUPPRESS)
    return parser


def serve_args(parser: argparse.ArgumentParser, parsed: argparse.Namespace) -> ServeArgs:
    """``ServeArgs`` of parsed flags (lists split on ``,``, ``--api-auto`` on ``;``); bad values exit 2."""
    config_files = split_config_files(parsed.config_files)
    if not config_files:
        parser.error("--config-files needs at least the server config file")
    if parsed.worker_timeout < 0:
        parser.error(f"--worker-timeout {parsed.worker_timeout:g}: give 0 (the default, 30 s) or more seconds")
    try:
        note = check_worker_class(parsed.worker_class)
    except ValueError as exc:
        parser.error(str(exc))
    if note is not None:
        print(f"hopeit_server: note: {note}", file=sys.stderr, flush=True)
    return ServeArgs(
        host=parsed.host,
        port=None if parsed.path else (8020 if parsed.port is None else parsed.port),
        path=parsed.path,
        start_streams=bool(parsed.start_streams),
        config_files=config_files,
        api_file=parsed.api_file,
        api_auto=[] if parsed.api_auto is None else parsed.api_auto.split(";"),
        enabled_groups=split_config_files(parsed.enabled_groups),
        workers=max(1, min(int(parsed.workers), max_workers())),
        worker_timeout=float(parsed.worker_timeout),
        console_log=parsed.console_log,
        strict_config=bool(parsed.strict_config),
    )


def parse_args(args: Sequence[str], prog: str = "python -m hopeit.web") -> ServeArgs:
    """Parse the flags of a server command line."""
    parser = add_serve_arguments(argparse.ArgumentParser(prog=prog, description="Run hopeit.engine apps over HTTP"))
    return serve_args(parser, parser.parse_args(list(args)))
