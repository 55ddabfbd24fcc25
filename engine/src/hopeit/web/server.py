"""The web server: serves the events of the apps in ``--config-files`` over aiohttp.

Run it with ``hopeit_server run`` (``hopeit.cli.server``) or ``python -m hopeit.web`` (0.24's
``python -m hopeit.server.web`` works too)::

    python -m hopeit.web --config-files server.json,app.json --port 8020 --start-streams

Start-up loads the configs (server config first, then plugins, then apps), builds the OpenAPI spec
when ``--api-file`` or ``--api-auto`` is given, and then, when the loop runs, starts each app
engine in file order (running its SETUP events), adds its routes and, with ``--start-streams``,
its STREAM and SERVICE loops. SIGTERM or Ctrl-C stops taking requests, waits for those in flight,
stops the loops after their current batch and exits 0.
"""

import json
import os
import socket
import sys
import traceback
import warnings
from typing import Any, Dict, List, NoReturn, Optional, Sequence

from aiohttp import web
from hopeit.app.api import app_base_route_name
from hopeit.app.config import AppConfig, EventPlugMode, EventType
from hopeit.app.errors import BadRequest, ErrorInfo, Unauthorized  # 0.24 apps import them from hopeit.server.web
from hopeit.server import runtime
from hopeit.server.config import AuthType, ConfigError
from hopeit.server.config_files import check_config_files
from hopeit.server.step_checks import event_step_problems
from hopeit.web import openapi
from hopeit.web.args import ServeArgs, add_serve_arguments, check_worker_class, parse_args, serve_args
from hopeit.web.health import add_probe_routes
from hopeit.web.metrics_route import add_metrics_route, setup_metrics
from hopeit.web.mgmt import StreamControl, mgmt_auth_methods
from hopeit.web.process import SHUTDOWN_TIMEOUT, access_log_options, serve_app
from hopeit.web.response import UnknownRoute
from hopeit.web.routes import add_app_routes
from hopeit.web.state import STATE_KEY, WebState
from hopeit.web.summary import startup_summary, startup_warnings

__all__ = [
    "BadRequest",
    "ErrorInfo",
    "ServeArgs",
    "Unauthorized",
    "WebState",
    "access_log_options",
    "add_serve_arguments",
    "app_startup_hook",
    "check_worker_class",
    "init_web_server",
    "main",
    "parse_args",
    "prepare_engine",
    "run_app",
    "run_cli",
    "serve",
    "serve_args",
    "server_startup_hook",
    "stop_server",
    "stream_startup_hook",
    "web_server",
    "worker_main",
]

_WEB_EVENTS = (EventType.GET, EventType.POST, EventType.MULTIPART)


#: The aiohttp app of this process, once ``init_web_server`` built it.
web_server: Optional[web.Application] = None


def init_web_server(
    config_files: Sequence[str],
    api_file: Optional[str] = None,
    api_auto: Optional[Sequence[str]] = None,
    enabled_groups: Optional[Sequence[str]] = None,
    start_streams: bool = False,
    console_log: Optional[bool] = None,
    strict_config: bool = False,
) -> web.Application:
    """The aiohttp app serving the configs; engines start when the app starts (``on_startup``).

    ``console_log``: log lines on the console too; None leaves it to the config's
    ``logging.console``, else on when stdout is a terminal. ``strict_config``: unknown config keys
    stop the start (``UnknownConfigKeys``) instead of being warned about.

    :raises ConfigError: a config file is missing or invalid.
    :raises APIError: ``--api-file`` does not match the apps, or the spec is invalid.
    """
    global web_server
    server_config, apps, config_notes = check_config_files(list(config_files), strict=strict_config)
    for note in config_notes:  # before anything else runs: a mistyped key can change what starts
        print(f"hopeit_server: warning: {note}", file=sys.stderr, flush=True)
    logging_config = server_config.logging
    logging_config.console = (logging_config.console or _terminal()) if console_log is None else console_log
    state = WebState(server_config, apps, list(enabled_groups or []))
    state.start_streams = start_streams
    state.config_notes = config_notes
    # no middleware: aiohttp would run it around every request. Event handlers answer their own
    # errors, and a catch-all route added last answers unknown routes and methods.
    web_app = web.Application(client_max_size=1024**3)  # bodies are limited per event while read
    web_app[STATE_KEY] = state
    prepare_engine(web_app, state, api_file=api_file, api_auto=list(api_auto or []), start_streams=start_streams)
    web_server = web_app
    return web_app


def prepare_engine(
    web_app: web.Application, state: WebState, *, api_file: Optional[str], api_auto: List[str], start_streams: bool
) -> None:
    """Build the API spec, and register the start-up and shutdown hooks of the server and its apps."""
    openapi.clear()
    if api_file is not None:
        openapi.load_api_file(api_file)
    elif api_auto:
        parts = [*api_auto, None, None, None]
        openapi.init_auto_api(parts[0] or None, parts[1] or None, parts[2] or None)
    if api_file is not None or api_auto:
        openapi.register_server_config(state.server_config)
        openapi.register_apps(state.apps)
        openapi.enable_swagger(state.server_config, web_app)
        from hopeit.web.asyncapi import add_asyncapi_route  # loaded only when docs are served

        add_asyncapi_route(web_app, state, dict((openapi.spec or {}).get("info", {})))
    else:
        openapi.enable_swagger(state.server_config, web_app)  # warns that requests are not validated

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
        add_probe_routes(app, state)  # /health, /ready: after the apps' routes, which keep their paths
        add_metrics_route(app, state)  # /metrics when api.metrics_path is set
        unknown_route.install(app)  # after the routes of every app, so it takes only what they do not

    web_app.on_startup.append(on_routes_added)

    async def on_cleanup(app: web.Application) -> None:
        await stop_server(state)

    web_app.on_cleanup.append(on_cleanup)
    # api.metrics_path: on before the start-up hooks add routes (measured as added), off once the server stopped
    setup_metrics(web_app, state)


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
    elif _takes_credentials(state, app_config):
        # an event checks Basic, Bearer or Refresh credentials: load what checks them now, not on
        # the first request (their checks load nothing when every event is Unsecured)
        import hopeit.toolkit.auth  # noqa: F401
    engine = await runtime.server.start_app(app_config, state.enabled_groups)
    problems = event_step_problems(engine)
    if problems:
        raise ConfigError(f"{app_config.app_key()}: events that cannot run as written:\n  " + "\n  ".join(problems))
    plugin_engines = [runtime.server.app_engine(app_key=p.app_key()) for p in app_config.plugins]
    streams = StreamControl(engine)
    state.streams[app_config.app_key()] = streams
    assert state.logger is not None
    routes = add_app_routes(web_app, engine, plugin_engines, streams, state.logger)
    state.routes[app_config.app_key()] = [
        (route.method, route.resource.canonical) for route in routes
        if route.method != "HEAD" and route.resource is not None and not route.resource.canonical.startswith("/mgmt/")
    ]
    if app_config.engine.cors_origin:
        _enable_cors(web_app, state, app_config, routes)
    state.logger.info("server", f"Started app {app_config.app_key()}: {len(routes)} route(s)")


def _takes_credentials(state: WebState, app_config: AppConfig) -> bool:
    """Whether a route of the app accepts other than Unsecured credentials.

    Its routes are its web events, the web events its plugins add to it, and the management routes
    of its STREAM and SERVICE events.
    """
    server_auth = state.server_config.auth
    plugin_keys = {plugin.app_key() for plugin in app_config.plugins}
    events = list(app_config.events.values()) + [
        info for config in state.apps if config.app_key() in plugin_keys
        for info in config.events.values() if info.plug_mode == EventPlugMode.ON_APP
    ]
    methods = [method for info in events if info.type in _WEB_EVENTS
               for method in (info.auth or server_auth.default_auth_methods)]
    if any(info.type in (EventType.STREAM, EventType.SERVICE) for info in events):
        methods += mgmt_auth_methods(state.server_config)
    return any(method != AuthType.UNSECURED for method in methods)


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
    console_log: Optional[bool] = None,
    strict_config: bool = False,
    *,
    reuse_port: bool = False,
    sock: Any = None,
) -> None:
    """Serve until SIGTERM or Ctrl-C; ``workers > 1`` runs that many processes on the same port.

    Once it listens it prints what it serves (``hopeit.web.summary``); ``console_log`` and
    ``strict_config`` as in ``init_web_server``.

    On SIGTERM requests in flight get ``worker_timeout`` seconds to finish (30 when 0), then are cancelled.
    """
    if workers > 1:
        from hopeit.web.supervisor import run_workers  # a single process never loads the supervisor

        run_workers(
            ServeArgs(host, port, path, start_streams, list(config_files), api_file, list(api_auto or []),
                      list(enabled_groups or []), workers, worker_timeout, console_log, strict_config)
        )
        return
    web_app = init_web_server(config_files, api_file, api_auto, enabled_groups, start_streams, console_log,
                              strict_config)
    where = f"unix:{path}" if path else f"http://{host}:{port}"
    state = web_app[STATE_KEY]

    def announce() -> str:
        served = state.served()
        if state.logger is not None:
            for warning in startup_warnings(served):
                state.logger.warning("server", warning)
        return startup_summary(served, where)

    serve_app(
        web_app,
        host=host,
        port=port,
        path=path,
        sock=sock,
        reuse_port=reuse_port,
        shutdown_timeout=worker_timeout or SHUTDOWN_TIMEOUT,
        runner_options=_runner_options(web_app),
        announce=announce,
    )


def _runner_options(web_app: web.Application) -> Dict[str, Any]:
    """Access-log options of the runner of ``web_app`` (no access logger at WARNING and above)."""
    state = web_app.get(STATE_KEY)
    if state is None:
        return {"access_log": None}
    return access_log_options(state.server_config, lambda: state.logger)


def _terminal() -> bool:
    """Whether stdout is a terminal (a person watching): log lines then go to the console too."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # replaced or closed stdout
        return False


def _fail(exc: BaseException) -> NoReturn:
    print(f"hopeit_server: error: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
    if os.getenv("HOPEIT_TRACEBACK"):
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




def worker_main(argv: Optional[List[str]] = None) -> None:
    """Entry point of a worker process started by ``run_workers``."""
    values = list(sys.argv[1:] if argv is None else argv)
    try:
        args = ServeArgs(**json.loads(values[values.index("--worker") + 1]))
        fd = int(values[values.index("--fd") + 1]) if "--fd" in values else None
    except (IndexError, ValueError, TypeError) as exc:
        _fail(ValueError(f"--worker takes the options the supervisor of --workers passes, not typed ones ({exc})"))
    if fd is not None:
        sock = socket.socket(fileno=fd)
        run_cli(args._replace(path=None), sock=sock)
    else:
        run_cli(args, reuse_port=True)


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Entry point of ``python -m hopeit.web`` (and ``python -m hopeit.server.web``).

    Exits 1 with one clear line when start-up fails; ``--worker`` runs a worker of the supervisor.
    """
    values = list(sys.argv[1:] if argv is None else argv)
    if "--worker" in values:
        worker_main(values)
        return
    run_cli(parse_args(values))
