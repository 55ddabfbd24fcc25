"""The process runtime: apps, plugins and SETUP events (spec engine §7 plugins, §16.4)."""

import logging
from typing import AsyncIterator, List

import pytest
from hopeit.contracts.settings import LoggingConfig, ServerConfig
from hopeit.server import logger as logger_module
from hopeit.server.logger import engine_logger
from hopeit.server.runtime import Server, run_setup_event
from hopeit.testing.apps import config
from plugin_app import FAILING_CONFIG, HOST1_CONFIG, HOST2_CONFIG, PLUGIN_CONFIG, clients
from plugin_app.events import on_app_setup, plugin_setup


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    """A started runtime of its own; logging state restored afterwards."""
    saved = (logger_module._config, logger_module._engine_name)
    runtime = await Server().start(config=ServerConfig(logging=LoggingConfig(log_level="DEBUG")))
    yield runtime
    await runtime.stop()
    logger_module.init_logger(*saved)
    logging.captureWarnings(False)


async def test_on_app_setup_runs_once_per_host_app(server: Server) -> None:
    """Standalone SETUP runs when the plugin starts; OnApp SETUP once for each app listing the plugin."""
    plugin_setup.CALLS.clear()
    on_app_setup.CALLS.clear()
    plugin_engine = await server.start_app(config(PLUGIN_CONFIG))
    assert plugin_setup.CALLS == ["plugin_app.1x0"] and on_app_setup.CALLS == []
    await server.start_app(config(HOST1_CONFIG))
    await server.start_app(config(HOST2_CONFIG))
    assert plugin_setup.CALLS == ["plugin_app.1x0"]
    assert on_app_setup.CALLS == [
        ("host_one.1x0", "plugin_app.1x0", "on_app_setup", "plugin_app.1x0", "host-one", "plugin"),
        ("host_two.1x0", "plugin_app.1x0", "on_app_setup", "plugin_app.1x0", "plugin", "plugin"),
    ]
    assert list(server.app_engines) == ["plugin_app.1x0", "host_one.1x0", "host_two.1x0"]
    assert server.app_engine(app_key="host_two.1x0").plugins[0] is plugin_engine.app_config


async def test_plugin_event_runs_on_the_plugin_engine_for_the_host(server: Server) -> None:
    """An OnApp event is executed by the plugin's engine with the host app in its context."""
    plugin_engine = await server.start_app(config(PLUGIN_CONFIG))
    host = await server.start_app(config(HOST1_CONFIG))
    context = plugin_engine.create_context("on_app_get", {"track.request_id": "r"}, {}, app_config=host.app_config)
    assert context.track_ids["event.plugin"] == "plugin_app.1x0"
    assert await plugin_engine.execute(context=context, query_args=None, payload=None) == (
        "host_one.1x0 via plugin_app.1x0"
    )


async def test_missing_plugin_stops_the_host(server: Server) -> None:
    """An app listing a plugin that was not started first cannot start; the message says what to do."""
    with pytest.raises(RuntimeError) as info:
        await server.start_app(config(HOST1_CONFIG))
    message = str(info.value)
    assert "app 'host_one.1x0' uses plugin 'plugin_app.1x0', which is not loaded" in message
    assert "before the app in --config-files" in message
    assert server.app_engines == {}


async def test_failing_setup_stops_start_up(server: Server) -> None:
    """A SETUP event error propagates from ``start_app``."""
    with pytest.raises(RuntimeError, match="setup failed on purpose"):
        await server.start_app(config(FAILING_CONFIG))
    engine = server.app_engine(app_key="failing_app.1x0")
    with pytest.raises(RuntimeError, match="setup failed on purpose"):
        await run_setup_event(engine, "failing_setup", engine.app_config)


async def test_app_engine_lookup_and_stop(server: Server) -> None:
    """Unknown keys list started apps; ``stop`` stops every engine (clients included) and forgets them."""
    with pytest.raises(KeyError, match=r"app 'x.1x0' is not started \(started: none\)"):
        server.app_engine(app_key="x.1x0")
    await server.start_app(config(PLUGIN_CONFIG))
    clients.EVENTS.clear()
    await server.start_app(config(HOST1_CONFIG), enabled_groups=["DEFAULT"])
    with pytest.raises(KeyError, match=r"started: plugin_app.1x0, host_one.1x0"):
        server.app_engine(app_key="x.1x0")
    await server.stop()
    assert server.app_engines == {}
    assert clients.EVENTS == [("host_one.1x0", "echo-conn", "start"), ("host_one.1x0", "echo-conn", "stop")]
    await server.stop()  # stopping again is fine: nothing is stopped twice
    assert server.app_engines == {}
    assert clients.EVENTS == [("host_one.1x0", "echo-conn", "start"), ("host_one.1x0", "echo-conn", "stop")]


class Messages(logging.Handler):
    """Keeps the messages logged to one logger."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


async def test_stop_without_start(server: Server) -> None:
    """A runtime that was never started stops quietly: no error, nothing logged; a started one says it stopped."""
    messages = Messages()
    engine_log = engine_logger().logger
    engine_log.addHandler(messages)
    try:
        never_started = Server()
        await never_started.stop()
        assert never_started.app_engines == {} and messages.messages == []
        await server.stop()
        assert any("Server stopped." in message for message in messages.messages)
    finally:
        engine_log.removeHandler(messages)
