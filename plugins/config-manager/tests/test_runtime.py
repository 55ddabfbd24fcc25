"""``get_in_process_config``: the apps this process runs, keyed as 0.24 keyed them, secrets masked."""

import os
import socket
from typing import Dict

from hopeit.app.config import AppConfig, EventDescriptor, EventPlugMode, EventType
from hopeit.config_manager import RuntimeAppInfo, RuntimeApps, ServerInfo, ServerStatus
from hopeit.config_manager.runtime import REDACTED, app_events, get_in_process_config, redacted_config
from hopeit.dataobjects.payload import Payload
from hopeit.server.runtime_api import AppInfo, running_apps
from hopeit.testing.apps import config, execute_event
from servers import CONFIG

APPS = ["config_manager.1x0", "mounted_plugin.1x0", "stream_app.1x0", "service_app.1x0"]


def app_info(name: str, events: Dict[str, EventDescriptor], plugins: Dict[str, str]) -> AppInfo:
    """An ``AppInfo`` as the runtime API gives it, with the same events configured and effective."""
    app_config = AppConfig.from_dict({  # type: ignore[attr-defined]
        "app": {"name": name, "version": "1.0"},
        "plugins": [{"name": plugin, "version": version} for plugin, version in plugins.items()],
        "events": {},
    })
    app_config.events = events
    return AppInfo(app_key=app_config.app_key(), app_config=app_config,
                   plugin_keys=tuple(plugin.app_key() for plugin in app_config.plugins),
                   configured_events=events, effective_events=events, events=())


async def test_every_running_app_with_this_server(apps_here: Dict[str, AppConfig]) -> None:
    apps = get_in_process_config("http://me:8020", expand_events=False)
    assert list(apps.apps) == APPS
    server = ServerInfo(host_name=socket.gethostname(), pid=str(os.getpid()), url="http://me:8020")
    assert all(app.servers == [server] for app in apps.apps.values())
    assert apps.server_status == {"http://me:8020": ServerStatus.ALIVE}
    assert apps.apps["service_app.1x0"].app_config.app.name == "service-app"


async def test_event_keys_configured_and_expanded(apps_here: Dict[str, AppConfig]) -> None:
    configured = get_in_process_config("in-process", expand_events=False).apps
    expanded = get_in_process_config("in-process", expand_events=True).apps
    assert list(configured["stream_app.1x0"].effective_events) == [
        "stream_app.1x0.mounted_plugin.1x0.plugin_info", "stream_app.1x0.send_item", "stream_app.1x0.process_items",
    ]
    assert list(expanded["stream_app.1x0"].effective_events) == [
        "stream_app.1x0.mounted_plugin.1x0.plugin_info", "stream_app.1x0.send_item", "stream_app.1x0.process_items",
        "stream_app.1x0.process_items$count", "stream_app.1x0.process_items$store",
    ]
    assert list(expanded["service_app.1x0"].effective_events) == [
        "service_app.1x0.heartbeat", "service_app.1x0.ticks", "service_app.1x0.ticks$__service__",
    ]
    assert list(expanded["mounted_plugin.1x0"].effective_events) == ["mounted_plugin.1x0.plugin_status"]
    assert expanded["stream_app.1x0"].effective_events["stream_app.1x0.process_items$count"].type == EventType.STREAM


async def test_answer_round_trips_as_json(apps_here: Dict[str, AppConfig]) -> None:
    apps = get_in_process_config("in-process", expand_events=True)
    again = Payload.from_json(Payload.to_json(apps), RuntimeApps)
    assert again == apps
    assert isinstance(again.apps["stream_app.1x0"], RuntimeAppInfo)


async def test_secrets_masked_in_the_answer_only(apps_here: Dict[str, AppConfig]) -> None:
    shown = get_in_process_config("in-process", expand_events=False).apps["stream_app.1x0"].app_config
    assert shown.server is not None
    assert shown.server.auth.auth_passphrase == REDACTED
    assert shown.server.streams.connection_str == "redis://cm-user:***@localhost:6379/0"
    assert shown.server.streams.settings == {"password": REDACTED, "pool": {"auth_token": REDACTED, "size": 2}}
    assert "cm-s3cret" not in Payload.to_json(shown)
    running = apps_here["stream_app.1x0"].server
    assert running is not None
    assert running.auth.auth_passphrase == "cm-s3cret"
    assert running.streams.connection_str == "redis://cm-user:cm-s3cret@localhost:6379/0"
    assert running.streams.settings["pool"]["auth_token"] == "cm-s3cret"


def test_nothing_to_mask() -> None:
    app_config = config(CONFIG / "service-app.json")
    assert app_config.server is not None
    app_config.server.streams.connection_str = "redis://localhost:6379"
    shown = redacted_config(app_config)
    assert shown.server is not None
    assert shown.server.streams.connection_str == "redis://localhost:6379"
    assert shown.server.auth.auth_passphrase == ""  # empty: nothing to hide, shown as it is
    app_config.server = None
    assert redacted_config(app_config) is app_config


def test_plugin_events_mounted_on_apps_that_list_the_plugin() -> None:
    on_app = EventDescriptor(type=EventType.GET, plug_mode=EventPlugMode.ON_APP)
    standalone = EventDescriptor(type=EventType.POST)
    plugin = app_info("my-plugin", {"mounted": on_app, "own": standalone}, {})
    app = app_info("my-app", {"mine": standalone}, {"my-plugin": "1.0", "not-running": "1.0"})
    apps = {plugin.app_key: plugin, app.app_key: app}
    assert app_events(app, apps, expand_events=False) == {
        "my_app.1x0.my_plugin.1x0.mounted": on_app,
        "my_app.1x0.mine": standalone,
    }
    assert app_events(plugin, apps, expand_events=True) == {"my_plugin.1x0.own": standalone}


async def test_runtime_apps_config_event(apps_here: Dict[str, AppConfig]) -> None:
    plugin_config = apps_here["config_manager.1x0"]
    apps = await execute_event(plugin_config, "runtime_apps_config", None, url="http://x", expand_events="True")
    assert isinstance(apps, RuntimeApps)
    assert apps.server_status == {"http://x": ServerStatus.ALIVE}
    assert "service_app.1x0.ticks$__service__" in apps.apps["service_app.1x0"].effective_events
    default = await execute_event(plugin_config, "runtime_apps_config", None)
    assert default.server_status == {"in-process": ServerStatus.ALIVE}
    assert "service_app.1x0.ticks$__service__" not in default.apps["service_app.1x0"].effective_events
    assert [app.app_key for app in running_apps()] == APPS
