"""The start-up summary and warnings, built from what a server serves (``hopeit.web.summary``)."""

from hopeit.app.config import EventType, parse_app_config_json
from hopeit.contracts.settings import APIConfig, LoggingConfig, ServerConfig
from hopeit.web.summary import AppRoutes, ServedApps, startup_summary, startup_warnings

APP = parse_app_config_json("""{
  "app": {"name": "sum-app", "version": "1.0"},
  "engine": {"import_modules": ["sum_app"]},
  "events": {"ping": {"type": "GET"},
             "consume": {"type": "STREAM", "read_stream": {"name": "s", "consumer_group": "{auto}"}}}
}""")


def _served(**changes: object) -> ServedApps:
    served = ServedApps(
        server_config=ServerConfig(api=APIConfig(docs_path="/api/docs"), logging=LoggingConfig(log_path="logs/")),
        apps=[AppRoutes(APP, routes=[("POST", "/api/sum-app/1x0/b"), ("GET", "/api/sum-app/1x0/a")],
                        loops={"consume": (EventType.STREAM, False),
                               "consume$__service__": (EventType.SERVICE, True)})],
        start_streams=False,
        docs_served=False,
        config_notes=["server.json: stream: unknown key, ignored (did you mean 'streams'?)"],
    )
    for name, value in changes.items():
        setattr(served, name, value)
    return served


def test_summary_lists_apps_routes_loops_and_where_things_are() -> None:
    text = startup_summary(_served(docs_served=True, config_notes=[]), "http://0.0.0.0:8020")
    assert text.splitlines() == [
        "hopeit.engine serving 1 app(s) on http://0.0.0.0:8020",
        "  sum-app 1.0",
        "    GET     /api/sum-app/1x0/a",
        "    POST    /api/sum-app/1x0/b",
        "    STREAM  consume  (not started)",
        "    SERVICE consume$__service__",
        "  API docs: http://localhost:8020/api/docs",
        "  AsyncAPI (streams): http://localhost:8020/api/docs/asyncapi.json",
        "  streams: memory; logs: logs/ (one file per event and process); console: off (--console-log to turn on)",
        "warning: 1 STREAM/SERVICE event(s) not started: add --start-streams, or start each at its /mgmt/.../start "
        "route",
    ]


def test_warnings_name_config_notes_loops_left_off_and_docs_not_served() -> None:
    assert startup_warnings(_served()) == [
        "server.json: stream: unknown key, ignored (did you mean 'streams'?)",
        "1 STREAM/SERVICE event(s) not started: add --start-streams, or start each at its /mgmt/.../start route",
        "api.docs_path /api/docs is configured but no API spec is served there: add --api-auto (spec built from "
        "the apps) or --api-file <openapi.json>",
    ]
    assert startup_warnings(_served(start_streams=True, docs_served=True, config_notes=[])) == []


def test_console_only_and_unix_socket_servers() -> None:
    served = _served(docs_served=True, config_notes=[],
                     server_config=ServerConfig(api=APIConfig(docs_path="/docs"),
                                                logging=LoggingConfig(console_only=True)))
    text = startup_summary(served, "unix:/tmp/hopeit.sock")
    assert "API docs" not in text  # no URL to give for a unix socket
    assert "logs: console only; console: on" in text
