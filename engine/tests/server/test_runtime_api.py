"""The read-only runtime API for ops plugins: apps, events, streams and plugins of this server."""

import logging
import os
from typing import AsyncIterator

import pytest
from hopeit.app.config import EventPlugMode, EventType
from hopeit.contracts.discovery import load_storage_class
from hopeit.contracts.settings import LoggingConfig, ServerConfig
from hopeit.contracts.version import ENGINE_VERSION
from hopeit.server import logger as logger_module
from hopeit.server import runtime, runtime_api
from hopeit.server.runtime import Server
from hopeit.testing.apps import config
from plugin_app import HOST1_CONFIG, PLUGIN_CONFIG

MOCK_APP_CONFIG = os.path.join(os.path.dirname(__file__), "..", "mock_app", "config.json")


@pytest.fixture
async def server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Server]:
    """A runtime of its own in place of the process one; logging state restored afterwards."""
    saved = (logger_module._config, logger_module._engine_name)
    started = await Server().start(config=ServerConfig(logging=LoggingConfig(log_level="WARNING")))
    monkeypatch.setattr(runtime, "server", started)
    yield started
    await started.stop()
    logger_module.init_logger(*saved)
    logging.captureWarnings(False)


async def test_running_apps_lists_apps_in_start_order_with_plugins(server: Server) -> None:
    """Plugins come before the apps using them; an app names the plugins it lists."""
    await server.start_app(config(PLUGIN_CONFIG))
    await server.start_app(config(HOST1_CONFIG))
    apps = runtime_api.running_apps()
    assert [app.app_key for app in apps] == ["plugin_app.1x0", "host_one.1x0"]
    host = runtime_api.app_info("host_one.1x0")
    assert host.plugin_keys == ("plugin_app.1x0",)
    assert host.app_config is server.app_engine(app_key="host_one.1x0").app_config
    assert list(host.configured_events) == ["host_get"]
    plugin = apps[0]
    on_app = [e for e in plugin.events if e.plug_mode == EventPlugMode.ON_APP]
    assert on_app and all(e.type in tuple(EventType) for e in on_app)


async def test_effective_events_expand_shuffle_stages_and_name_streams(server: Server) -> None:
    """SHUFFLE stages are events of their own; reads and writes name streams with their queues."""
    await server.start_app(config(MOCK_APP_CONFIG))
    app = runtime_api.app_info("mock_app.1x0")
    events = {event.name: event for event in app.events}
    assert "mock_shuffle" in app.configured_events
    stages = [name for name in events if name.startswith("mock_shuffle$")]
    assert stages and all(events[name].base_name == "mock_shuffle" for name in stages)
    assert events["mock_post"].writes == ("mock_app.1x0.mock_post", "mock_app.1x0.mock_post.high")  # {auto}
    assert events["mock_stream"].reads == ("mock_app.spawned",)
    # PROPAGATE from the AUTO queue writes to the stream itself
    assert events["mock_stream"].writes == ("mock_app.processed",)
    assert events["mock_get"].reads == () and events["mock_get"].writes == ()
    assert not events["mock_stream"].running


def test_write_streams_propagate_the_queues_read() -> None:
    """With PROPAGATE, the AUTO queue writes to the queue of each message read."""
    descriptor = config(MOCK_APP_CONFIG).events["mock_stream"]
    assert descriptor.read_stream is not None
    descriptor.read_stream.queues = ["AUTO", "high"]
    assert runtime_api.write_streams(descriptor) == ("mock_app.processed", "mock_app.processed.high")


async def test_unknown_app_lists_started_ones(server: Server) -> None:
    """Asking for an app that is not started says which are."""
    await server.start_app(config(PLUGIN_CONFIG))
    with pytest.raises(KeyError, match=r"app 'nope.1x0' is not started \(started: plugin_app.1x0\)"):
        runtime_api.app_info("nope.1x0")


def test_server_info_and_loaded_plugins() -> None:
    """This process's host, pid and engine; loaded plugins with their distribution and version."""
    info = runtime_api.server_info()
    assert info.pid == str(os.getpid()) and info.host_name
    assert (info.engine_name, info.engine_version) == ("hopeit.engine", ENGINE_VERSION)
    load_storage_class("memory")
    assert runtime_api.PluginInfo("hopeit.storage", "memory", "hopeit.engine", ENGINE_VERSION) in (
        runtime_api.loaded_plugins()
    )
