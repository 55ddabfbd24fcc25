"""``Server`` holds the app engines of a process; ``AppEngine`` runs the events of one app.

Both are importable from here, where 0.24 had them (``AppEngine`` lives in
``hopeit.server.app_engine``); the one ``Server`` of a process is ``hopeit.server.runtime.server``.
"""

from typing import Any, Dict, List, Optional

from hopeit.app.config import AppConfig, EventPlugMode, EventType
from hopeit.contracts.settings import ServerConfig
from hopeit.server.app_engine import AppEngine
from hopeit.server.logger import EngineLoggerWrapper, init_server
from hopeit.server.metrics import metrics
from hopeit.server.tracking import new_track_ids
from hopeit.streams import StreamOSError

__all__ = ["AppEngine", "Server", "StreamOSError", "run_setup_event"]


class Server:
    """App engines of this process, by app key."""

    def __init__(self) -> None:
        self.app_engines: Dict[str, AppEngine] = {}
        self.config: Optional[ServerConfig] = None
        self.logger: Optional[EngineLoggerWrapper] = None

    async def start(self, *, config: ServerConfig) -> "Server":
        """Set up server-wide logging; apps are started with ``start_app``."""
        self.config = config
        self.logger = init_server(config)
        self.logger.info("server", "Starting server...")
        return self

    async def stop(self) -> None:
        """Stop every app engine, last started first."""
        for app_key in reversed(list(self.app_engines)):
            await self.app_engines[app_key].stop()
        self.app_engines.clear()
        if self.logger is not None:
            self.logger.info("server", "Server stopped.")

    def app_engine(self, *, app_key: str) -> AppEngine:
        """The engine of a started app."""
        try:
            return self.app_engines[app_key]
        except KeyError:
            started = ", ".join(self.app_engines) or "none"
            raise KeyError(f"app '{app_key}' is not started (started: {started})") from None

    def plugin_configs(self, app_config: AppConfig) -> List[AppConfig]:
        """Configs of the plugins an app lists; each must be started before the app."""
        configs = []
        for plugin in app_config.plugins:
            key = plugin.app_key()
            if key not in self.app_engines:
                raise RuntimeError(
                    f"app '{app_config.app_key()}' uses plugin '{key}', which is not loaded: list its config "
                    "(or its name in server config 'plugins') before the app in --config-files"
                )
            configs.append(self.app_engines[key].app_config)
        return configs

    async def start_app(self, app_config: AppConfig, enabled_groups: Optional[List[str]] = None) -> AppEngine:
        """Start an app engine and run its SETUP events (and OnApp SETUP events of its plugins)."""
        engine = AppEngine(
            app_config=app_config, plugins=self.plugin_configs(app_config), enabled_groups=enabled_groups or []
        )
        await engine.start()
        self.app_engines[app_config.app_key()] = engine
        for event_name, info in engine.effective_events.items():
            if info.type == EventType.SETUP and info.plug_mode == EventPlugMode.STANDALONE:
                await run_setup_event(engine, event_name, app_config)
        for plugin_config in engine.plugins:
            plugin_engine = self.app_engines[plugin_config.app_key()]
            for event_name, info in plugin_engine.effective_events.items():
                if info.type == EventType.SETUP and info.plug_mode == EventPlugMode.ON_APP:
                    await run_setup_event(plugin_engine, event_name, app_config)
        return engine


async def run_setup_event(engine: AppEngine, event_name: str, host_config: AppConfig) -> Any:
    """Execute a SETUP event once, logging START and DONE (errors stop the start-up)."""
    context = engine.create_context(event_name, new_track_ids(), {}, app_config=host_config)
    engine.logger.start(context)
    try:
        result = await engine.execute(context=context, query_args=None, payload=None)
    except BaseException as exc:
        engine.logger.error(context, exc)
        engine.logger.failed(context, extra=metrics(context))
        raise
    engine.logger.done(context, extra=metrics(context))
    return result
