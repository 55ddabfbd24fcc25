"""The apps this server process runs, as ``RuntimeApps``: read from the engine's runtime API only.

Event keys follow 0.24, which apps-visualizer and other readers rely on:

* an app's own events (any plug mode but ``OnApp``): ``<app_key>.<event>``;
* the ``OnApp`` events of each plugin the app lists, which the plugin mounts on the app:
  ``<app_key>.<plugin_key>.<event>`` (a plugin app does not list them as its own).

With ``expand_events`` the events are those the engine runs: SHUFFLE stages (``event$step``) and
services of STREAM events (``event$__service__``) appear as events of their own, and events of
groups not enabled on this server are left out. Without it, the events as configured.

The server config each app carries is shown with its secrets masked (0.24 showed them as they
were): the auth passphrase, the password in the stream manager's connection string, and stream
manager settings named like a secret (``password``, ``secret``, ``token``, ``passphrase``).
"""

import copy
import re
from typing import Any, Dict

from hopeit.app.config import AppConfig, EventDescriptor, EventPlugMode
from hopeit.config_manager import RuntimeAppInfo, RuntimeApps, ServerInfo, ServerStatus
from hopeit.server.runtime_api import AppInfo, running_apps, server_info

__all__ = ["REDACTED", "app_events", "get_in_process_config", "redacted_config"]

#: What a secret of the server config is shown as.
REDACTED = "***"

# the password of a url's user info: scheme://user:<password>@host
_URL_PASSWORD = re.compile(r"(?P<head>^[A-Za-z][A-Za-z0-9+.-]*://[^:@/]*:)[^@/]*(?P<tail>@)")
_SECRET_NAME = re.compile(r"password|secret|token|passphrase", re.IGNORECASE)


def get_in_process_config(url: str, expand_events: bool) -> RuntimeApps:
    """The apps this process runs, each served by this process, known as ``url`` by the caller.

    :param url: how the caller reaches this server (``in-process`` when asked locally); it
        becomes ``ServerInfo.url`` and the key of this server's ``ALIVE`` status.
    :param expand_events: list the events the engine runs (SHUFFLE stages and services
        included) instead of the configured ones.
    """
    process = server_info()
    server = ServerInfo(host_name=process.host_name, pid=process.pid, url=url)
    apps = running_apps()
    by_key = {app.app_key: app for app in apps}
    return RuntimeApps(
        apps={
            app.app_key: RuntimeAppInfo(
                servers=[server],
                app_config=redacted_config(app.app_config),
                effective_events=app_events(app, by_key, expand_events=expand_events),
            )
            for app in apps
        },
        server_status={url: ServerStatus.ALIVE},
    )


def app_events(app: AppInfo, apps: Dict[str, AppInfo], *, expand_events: bool) -> Dict[str, EventDescriptor]:
    """Events of ``app`` by key: those its plugins mount on it first, then its own.

    :param apps: the running apps by key, where the app's plugins are looked up; a plugin
        that is not running adds nothing (the engine refuses to start such an app anyway).
    """
    found: Dict[str, EventDescriptor] = {}
    for plugin_key in app.plugin_keys:
        plugin = apps.get(plugin_key)
        if plugin is None:
            continue
        for name, descriptor in _events(plugin, expand_events).items():
            if descriptor.plug_mode == EventPlugMode.ON_APP:
                found[f"{app.app_key}.{plugin_key}.{name}"] = descriptor
    for name, descriptor in _events(app, expand_events).items():
        if descriptor.plug_mode != EventPlugMode.ON_APP:
            found[f"{app.app_key}.{name}"] = descriptor
    return found


def _events(app: AppInfo, expand_events: bool) -> Dict[str, EventDescriptor]:
    # SHUFFLE stages and services get the default plug mode from the engine: with
    # expand_events they are listed as the plugin's own events, as 0.24 did
    return app.effective_events if expand_events else app.configured_events


def redacted_config(app_config: AppConfig) -> AppConfig:
    """A copy of ``app_config`` to show: its server config's secrets masked, the running config untouched."""
    server = app_config.server
    if server is None:
        return app_config
    shown = copy.copy(app_config)
    shown.server = copy.copy(server)
    shown.server.streams = copy.copy(server.streams)
    shown.server.streams.connection_str = _URL_PASSWORD.sub(
        rf"\g<head>{REDACTED}\g<tail>", server.streams.connection_str
    )
    shown.server.streams.settings = _masked(server.streams.settings)
    shown.server.auth = copy.copy(server.auth)
    if server.auth.auth_passphrase:
        shown.server.auth.auth_passphrase = REDACTED
    return shown


def _masked(settings: Dict[str, Any]) -> Dict[str, Any]:
    """``settings`` with the values of secret-like keys masked, nested sections included."""
    return {
        key: REDACTED if _SECRET_NAME.search(key) and value else _masked(value) if isinstance(value, dict) else value
        for key, value in settings.items()
    }
