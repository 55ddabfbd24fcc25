"""What a server prints once it serves: its apps and routes, docs, streams, logs, and what it left off.

0.24 printed nothing but a line, and every request, error and consumer failure went to log files
(one per event and process). A new user starting a server from a terminal now reads, before the
first request, what the server runs and where to look::

    hopeit.engine serving 2 app(s) on http://0.0.0.0:8020
      simple-example 1.0
        GET    /api/simple-example/1x0/list-somethings
        STREAM simple_example.1x0.process_events  (not started)
      API docs: http://localhost:8020/api/docs
      AsyncAPI (streams): http://localhost:8020/api/docs/asyncapi.json
      streams: memory; logs: logs/ (one file per event and process); console: on
    warning: 1 STREAM/SERVICE event(s) not started: add --start-streams, or start each at its /mgmt route

The same warnings are logged as engine warnings, for servers started without a terminal.
"""

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from hopeit.app.config import AppConfig, EventType
from hopeit.contracts.settings import ServerConfig

__all__ = ["AppRoutes", "ServedApps", "startup_summary", "startup_warnings"]

_LOOPS = (EventType.STREAM, EventType.SERVICE)


@dataclass
class AppRoutes:
    """What one app serves: its HTTP routes (method, path) and its loops, running or not.

    ``loops`` holds the STREAM and SERVICE events the engine runs, SHUFFLE stages (``event$stage``,
    which read a stream) and services of STREAM events (``event$__service__``) included: name to
    (type, running).
    """

    app_config: AppConfig
    routes: List[Tuple[str, str]] = field(default_factory=list)
    loops: Dict[str, Tuple[EventType, bool]] = field(default_factory=dict)


@dataclass
class ServedApps:
    """What the server serves, as the start-up summary shows it."""

    server_config: ServerConfig
    apps: List[AppRoutes]
    start_streams: bool
    docs_served: bool
    #: what the config files hold that is not used (``hopeit.server.config_files.check_config_files``)
    config_notes: List[str] = field(default_factory=list)


def _local_url(where: str) -> str:
    # a server bound to every address is reached on this machine at localhost
    return where.replace("://0.0.0.0:", "://localhost:").replace("://[::]:", "://localhost:")


def startup_summary(served: ServedApps, where: str) -> str:
    """The lines printed once the server serves at ``where`` (``http://host:port`` or ``unix:path``)."""
    lines = [f"hopeit.engine serving {len(served.apps)} app(s) on {where}"]
    for app in served.apps:
        lines.append(f"  {app.app_config.app.name} {app.app_config.app.version}")
        width = max([len(method) for method, _ in app.routes] + [len(e.value) for e in _LOOPS])
        lines.extend(f"    {method:<{width}} {path}" for method, path in sorted(app.routes, key=lambda r: (r[1], r[0])))
        for event_name, (kind, running) in app.loops.items():
            lines.append(f"    {kind.value:<{width}} {event_name}{'' if running else '  (not started)'}")
    docs_path = served.server_config.api.docs_path
    if served.docs_served and docs_path and where.startswith("http"):
        lines.append(f"  API docs: {_local_url(where)}{docs_path}")
        lines.append(f"  AsyncAPI (streams): {_local_url(where)}{docs_path.rstrip('/')}/asyncapi.json")
    logging_config = served.server_config.logging
    logs = (
        "console only" if logging_config.console_only
        else f"{logging_config.log_path} (one file per event and process)"
    )
    console = "on" if logging_config.console or logging_config.console_only else "off (--console-log to turn on)"
    lines.append(f"  streams: {served.server_config.streams.stream_manager}; logs: {logs}; console: {console}")
    lines.extend(f"warning: {text}" for text in startup_warnings(served))
    return "\n".join(lines)


def startup_warnings(served: ServedApps) -> List[str]:
    """What a new user most likely did not mean: config keys not used, loops left off, docs not served."""
    found: List[str] = list(served.config_notes)
    stopped = [name for app in served.apps for name, (_, running) in app.loops.items() if not running]
    if stopped and not served.start_streams:
        found.append(
            f"{len(stopped)} STREAM/SERVICE event(s) not started: add --start-streams, "
            "or start each at its /mgmt/.../start route"
        )
    docs_path: Optional[str] = served.server_config.api.docs_path
    if docs_path and not served.docs_served:
        found.append(
            f"api.docs_path {docs_path} is configured but no API spec is served there: "
            "add --api-auto (spec built from the apps) or --api-file <openapi.json>"
        )
    return found
