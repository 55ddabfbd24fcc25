"""Which events call which remote events, and the route of each remote event.

Worked out once when the client is created; anything a call could not resolve fails the app
start with a message naming the app, the connection and the event.
"""

import logging
import re
from dataclasses import dataclass, field
from typing import Dict, Optional

from hopeit.app.config import AppConfig, AppDescriptor, EventConnection
from hopeit.app.names import app_route_name
from hopeit.apps_client.errors import AppsClientConfigError
from hopeit.apps_client.settings import AppsClientSettings

__all__ = ["ConnectionRoutes", "resolve_routes"]

logger = logging.getLogger("hopeit.apps_client")

# event names are dotted identifiers (``query_something``, ``streams.something-event``)
_EVENT_NAME = re.compile(r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$")


@dataclass
class ConnectionRoutes:
    """``events[caller event][target event]`` -> connection, and ``routes[target event]`` -> route."""

    events: Dict[str, Dict[str, EventConnection]] = field(default_factory=dict)
    routes: Dict[str, str] = field(default_factory=dict)


def _route(app: AppDescriptor, plugin: Optional[AppDescriptor], event: str, override: Optional[str]) -> str:
    return app_route_name(app, event_name=event, plugin=plugin, override_route_name=override)


def resolve_routes(app_config: AppConfig, app_connection: str, settings: AppsClientSettings) -> ConnectionRoutes:
    """Connections and routes of ``app_connection`` for every event of ``app_config``.

    :raises AppsClientConfigError: an event lists a connection that ``app_connections`` lacks, or
        names a remote event that cannot be a route; a ``plugin_version`` comes without ``plugin_name``.
    """
    app_key = app_config.app_key()
    conn = app_config.app_connections[app_connection]
    where = f"app {app_key}, app connection '{app_connection}'"
    if conn.plugin_version and not conn.plugin_name:
        raise AppsClientConfigError(f"{where}: plugin_version is set but plugin_name is not; set both or neither")
    target = AppDescriptor(name=conn.name, version=conn.version)
    plugin = (
        AppDescriptor(name=conn.plugin_name, version=conn.plugin_version or conn.version)
        if conn.plugin_name else None
    )
    resolved = ConnectionRoutes()
    for event_name, info in app_config.events.items():
        for connection in info.connections:
            if connection.app_connection not in app_config.app_connections:
                known = ", ".join(sorted(app_config.app_connections)) or "none"
                raise AppsClientConfigError(
                    f"app {app_key}, event '{event_name}': connections names app connection "
                    f"'{connection.app_connection}', which is not in app_connections (known: {known})"
                )
            if connection.app_connection != app_connection:
                continue
            if not _EVENT_NAME.match(connection.event or ""):
                raise AppsClientConfigError(
                    f"{where}, event '{event_name}': remote event '{connection.event}' is not an event name "
                    f"of app {conn.name} (expected a name like 'query_something' or 'streams.something_event')"
                )
            resolved.events.setdefault(event_name, {})[connection.event] = connection
            override = settings.routes_override.get(connection.event)
            if override is not None and not override.strip("/"):
                raise AppsClientConfigError(
                    f"{where}: routes_override of '{connection.event}' is empty; give the route it is served at"
                )
            resolved.routes[connection.event] = _route(target, plugin, connection.event, override)
    unused = sorted(set(settings.routes_override) - set(resolved.routes))
    if unused:
        # not an error: configs of hopeit.engine 0.24 carry overrides for events nobody calls
        logger.warning("%s: routes_override for events no event calls: %s", where, ", ".join(unused))
    return resolved

