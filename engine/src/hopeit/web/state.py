"""What a running web server keeps: its configs, logger, stream loop controls and what it serves.

The state lives on the aiohttp app under ``STATE_KEY`` (``web_app[STATE_KEY]``), set by
``hopeit.web.server.init_web_server``.
"""

from typing import Any, Dict, List, Optional, Tuple

from aiohttp import web
from hopeit.app.config import AppConfig, EventType
from hopeit.server.config import ServerConfig
from hopeit.server.logger import EngineLoggerWrapper
from hopeit.web import openapi
from hopeit.web.mgmt import StreamControl
from hopeit.web.summary import AppRoutes, ServedApps

__all__ = ["STATE_KEY", "WebState"]

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
        #: routes (method, path) by app key, as added: what the start-up summary lists
        self.routes: Dict[str, List[Tuple[str, str]]] = {}
        self.start_streams = False
        #: what the config files hold that is not used (unknown keys, no app config)
        self.config_notes: List[str] = []

    def served(self) -> ServedApps:
        """What this server serves now, for the start-up summary."""
        apps = []
        for app_config in self.apps:
            key = app_config.app_key()
            streams = self.streams.get(key)
            loops = {} if streams is None else {
                name: (info.type, streams.running(name)) for name, info in streams.engine.effective_events.items()
                if info.type in (EventType.STREAM, EventType.SERVICE)
            }
            apps.append(AppRoutes(app_config, self.routes.get(key, []), loops))
        return ServedApps(self.server_config, apps, self.start_streams, docs_served=openapi.swagger is not None,
                          config_notes=list(self.config_notes))
