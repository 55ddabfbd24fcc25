"""The web server: serves the events of the apps in ``--config-files`` over aiohttp.

Run it with ``hopeit_server run`` (``hopeit.cli.server``) or ``python -m hopeit.server.web``::

    python -m hopeit.server.web --config-files server.json,app.json --port 8020 --start-streams

Start-up loads the configs (server config first, then plugins, then apps), builds the OpenAPI spec
when ``--api-file`` or ``--api-auto`` is given, and then, when the loop runs, starts each app
engine in file order (running its SETUP events), adds its routes and, with ``--start-streams``,
its STREAM and SERVICE loops. SIGTERM or Ctrl-C stops taking requests, waits for those in flight,
stops the loops after their current batch and exits 0.
"""

import argparse
import logging
import sys
import warnings
from typing import Any, Dict, List, NamedTuple, Optional, Sequence

from aiohttp import web
from hopeit.app.api import app_base_route_name
from hopeit.app.config import AppConfig, EventType
from hopeit.server import api, runtime
from hopeit.server.config import ServerConfig
from hopeit.server.config_files import load_config_files, split_config_files
from hopeit.server.logger import EngineLoggerWrapper
from hopeit.server.web_mgmt import StreamControl
from hopeit.server.web_response import AccessLine, UnknownRoute
from hopeit.server.web_routes import add_app_routes

__all__ = [
    "ServeArgs",
    "WebState",
    "access_log_options",
    "add_serve_arguments",
    "app_startup_hook",
    "check_worker_class",
    "init_web_server",
    "main",
    "parse_args",
    "prepare_engine",
    "serve",
    "serve_args",
    "server_startup_hook",
    "stop_server",
    "stream_startup_hook",
    "web_server",
]

STATE_KEY: "web.AppKey[WebState]" = web.AppKey("hopeit.web_state")


class WebState:
    """What the server keeps while it runs: configs, logger, stream loop controls, CORS config."""

    def __init__(self, server_config: ServerConfig, apps: List[AppConfig], enabled_groups: List[str]) -> None:
        self.server_config = server_config
        self.apps = apps
        self.enabled_groups = enabled_groups
        self.logger: Optional[EngineLoggerWrapper] = None
        self.streams: Dict[str, StreamControl] = {}
        self.cors: Any = None


class _PendingLogger:
    """Stands for the engine logger, which exists once the server started, in access lines."""

    def __init__(self, state: WebState) -> None:
        self.state = state

    def info(self, context: Any, msg: Any) -> None:
        if self.state.logger is not None:
            self.state.logger.info(context, msg)


def access_log_options(web_app: web.Application) -> Dict[str, Any]:
    """``web.AppRunner`` options writing access lines when the server config logs at INFO or below.

    At WARNING and above aiohttp is given no access logger at all, so requests pay nothing for it.
    """
    state = web_app.get(STATE_KEY)
    if state is None:
        return {"access_log": None}
    level = logging.getLevelName(state.server_config.logging.log_level)
    if isinstance(level, int) and level <= logging.INFO:
        return {"access_log": _PendingLogger(state), "access_log_class": AccessLine}
    return {"access_log": None}


#: The aiohttp app of this process, once ``init_web_server`` built it.
web_server: Optional[web.Application] = None


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
    """The flags of ``hopeit_server run`` and ``python -m hopeit.server.web``."""
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
    # 0.24 command lines name gunicorn's aiohttp worker: accepted with a note, any other is refused
    parser.add_argument("--worker-class", default=None, help=argparse.SUPPRESS)
    return parser


def serve_args(parser: argparse.ArgumentParser, parsed: argparse.Namespace) -> ServeArgs:
    """``ServeArgs`` of parsed flags (lists split on ``,``, ``--api-auto`` on ``;``); bad values exit 2."""
    from hopeit.server.wsgi import max_workers

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
    )


def parse_args(args: Sequence[str], prog: str = "python -m hopeit.server.web") -> ServeArgs:
    """Parse the flags of a server command line."""
    parser = add_serve_arguments(argparse.ArgumentParser(prog=prog, description="Run hopeit.engine apps over HTTP"))
    return serve_args(parser, parser.parse_args(list(args)))


def init_web_server(
    config_files: Sequence[str],
    api_file: Optional[str] = None,
    api_auto: Optional[Sequence[str]] = None,
    enabled_groups: Optional[Sequence[str]] = None,
    start_streams: bool = False,
) -> web.Application:
    """The aiohttp app serving the configs; engines start when the app starts (``on_startup``).

    :raises ConfigError: a config file is missing or invalid.
    :raises APIError: ``--api-file`` does not match the apps, or the spec is invalid.
    """
    global web_server
    server_config, apps = load_config_files(list(config_files))
    state = WebState(server_config, apps, list(enabled_groups or []))
    # no middleware: aiohttp would run it around every request. Event handlers answer their own
    # errors as JSON, and a catch-all route added last answers unknown routes and methods.
    web_app = web.Application(client_max_size=1024**3)  # bodies are limited per event while read
    web_app[STATE_KEY] = state
    prepare_engine(web_app, state, api_file=api_file, api_auto=list(api_auto or []), start_streams=start_streams)
    web_server = web_app
    return web_app


def prepare_engine(
    web_app: web.Application, state: WebState, *, api_file: Optional[str], api_auto: List[str], start_streams: bool
) -> None:
    """Build the API spec, and register the start-up and shutdown hooks of the server and its apps."""
    api.clear()
    if api_file is not None:
        api.load_api_file(api_file)
    elif api_auto:
        parts = [*api_auto, None, None, None]
        api.init_auto_api(parts[0] or None, parts[1] or None, parts[2] or None)
    if api_file is not None or api_auto:
        api.register_server_config(state.server_config)
        api.register_apps(state.apps)
        api.enable_swagger(state.server_config, web_app)
    else:
        api.enable_swagger(state.server_config, web_app)  # warns that requests are not validated

    async def on_server_startup(app: web.Application) -> None:
        await server_startup_hook(state)

    web_app.on_startup.append(on_server_startup)
    for app_config in state.apps:
        web_app.on_startup.append(_app_hook(state, app_config))
    if start_streams:
        for app_config in state.apps:
            web_app.on_startup.append(_stream_hook(state, app_config))

    unknown_route = UnknownRoute()

    async def on_routes_added(app: web.Application) -> None:
        unknown_route.install(app)  # after the routes of every app, so it takes only what they do not

    web_app.on_startup.append(on_routes_added)

    async def on_cleanup(app: web.Application) -> None:
        await stop_server(state)

    web_app.on_cleanup.append(on_cleanup)


def _app_hook(state: WebState, app_config: AppConfig) -> Any:
    async def hook(web_app: web.Application) -> None:
        await app_startup_hook(web_app, state, app_config)

    return hook


def _stream_hook(state: WebState, app_config: AppConfig) -> Any:
    async def hook(web_app: web.Application) -> None:
        await stream_startup_hook(state, app_config)

    return hook


async def server_startup_hook(state: WebState) -> None:
    """Start the runtime (engine logging) with the server config."""
    await runtime.server.start(config=state.server_config)
    state.logger = runtime.server.logger
    if state.logger is not None:
        state.logger.info("server", f"Starting {len(state.apps)} app(s)...")


async def app_startup_hook(web_app: web.Application, state: WebState, app_config: AppConfig) -> None:
    """Start an app engine (running its SETUP events), then add its routes and CORS."""
    auth = state.server_config.auth
    if auth.enabled:
        from hopeit.toolkit import auth as auth_keys  # jwt and cryptography load only when auth is on

        auth_keys.init(app_config.app_key(), auth)
    engine = await runtime.server.start_app(app_config, state.enabled_groups)
    plugin_engines = [runtime.server.app_engine(app_key=p.app_key()) for p in app_config.plugins]
    streams = StreamControl(engine)
    state.streams[app_config.app_key()] = streams
    assert state.logger is not None
    routes = add_app_routes(web_app, engine, plugin_engines, streams, state.logger)
    if app_config.engine.cors_origin:
        _enable_cors(web_app, state, app_config, routes)
    state.logger.info("server", f"Started app {app_config.app_key()}: {len(routes)} route(s)")


def _enable_cors(web_app: web.Application, state: WebState, app_config: AppConfig, routes: List[Any]) -> None:
    import aiohttp_cors

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", web.NotAppKeyWarning)  # aiohttp-cors keeps state under a str key
        if state.cors is None:
            state.cors = aiohttp_cors.setup(web_app)
        options = aiohttp_cors.ResourceOptions(  # type: ignore[no-untyped-call]
            allow_credentials=True, expose_headers="*", allow_headers="*"
        )
        prefix = app_config.engine.cors_routes_prefix or app_base_route_name(app_config.app)
        for route in routes:
            if route.resource is not None and route.resource.canonical.startswith(prefix):
                state.cors.add(route, {app_config.engine.cors_origin: options})


async def stream_startup_hook(state: WebState, app_config: AppConfig) -> None:
    """Start the read loop of every STREAM event and the loop of every SERVICE event of an app."""
    streams = state.streams[app_config.app_key()]
    for event_name, info in streams.engine.effective_events.items():
        if info.type in (EventType.STREAM, EventType.SERVICE) and not streams.running(event_name):
            streams.start(event_name)


async def stop_server(state: Optional[WebState] = None) -> None:
    """Stop every app engine (loops finish and ack their batch), then cancel loops still waiting."""
    await runtime.server.stop()
    if state is not None:
        for streams in state.streams.values():
            await streams.cancel_pending()
        state.streams.clear()


def serve(
    host: str = "0.0.0.0",
    port: Optional[int] = 8020,
    path: Optional[str] = None,
    start_streams: bool = False,
    config_files: Sequence[str] = (),
    api_file: Optional[str] = None,
    api_auto: Optional[Sequence[str]] = None,
    enabled_groups: Optional[Sequence[str]] = None,
    workers: int = 1,
    worker_timeout: float = 0.0,
    *,
    reuse_port: bool = False,
    sock: Any = None,
) -> None:
    """Serve until SIGTERM or Ctrl-C; ``workers > 1`` runs that many processes on the same port.

    On SIGTERM requests in flight get ``worker_timeout`` seconds to finish (30 when 0), then are cancelled.
    """
    if workers > 1:
        from hopeit.server.wsgi import run_workers

        run_workers(
            ServeArgs(host, port, path, start_streams, list(config_files), api_file, list(api_auto or []),
                      list(enabled_groups or []), workers, worker_timeout)
        )
        return
    web_app = init_web_server(config_files, api_file, api_auto, enabled_groups, start_streams)
    where = f"unix:{path}" if path else f"http://{host}:{port}"
    from hopeit.server.wsgi import SHUTDOWN_TIMEOUT, serve_app

    serve_app(
        web_app,
        host=host,
        port=port,
        path=path,
        sock=sock,
        reuse_port=reuse_port,
        shutdown_timeout=worker_timeout or SHUTDOWN_TIMEOUT,
        announce=f"hopeit.engine serving {len(web_app[STATE_KEY].apps)} app(s) on {where}",
    )


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Entry point of ``python -m hopeit.server.web``: exits 1 with one clear line when start-up fails."""
    from hopeit.server.wsgi import run_cli

    run_cli(parse_args(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":  # pragma: no cover - run as a module
    from hopeit.server.web import main as _main  # one copy of the module state, as when imported

    _main()
