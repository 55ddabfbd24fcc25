"""What this server runs, for ops plugins: apps, events, streams and loaded plugins, read-only.

config-manager, apps-visualizer and other ops plugins are built on these functions and nothing
else of the server, so the server's internals can change without breaking them::

    from hopeit.server.runtime_api import running_apps, server_info

    for app in running_apps():
        for event in app.events:
            print(app.app_key, event.name, event.type.value, event.reads, event.writes, event.running)

Everything returned is a snapshot built on each call: frozen dataclasses holding the apps'
config objects (``AppConfig`` and ``EventDescriptor`` data objects, which serialize to the JSON of
the config files). Nothing here starts, stops or changes anything.
"""

import os
import socket
from dataclasses import dataclass
from typing import Dict, List, Tuple

from hopeit.app.config import (
    AppConfig,
    EventDescriptor,
    EventPlugMode,
    EventType,
    StreamQueue,
    StreamQueueStrategy,
)
from hopeit.contracts.discovery import PluginInfo, loaded_plugins
from hopeit.contracts.version import ENGINE_NAME, ENGINE_VERSION
from hopeit.server import runtime
from hopeit.server.engine import AppEngine
from hopeit.server.events import base_event_name

__all__ = [
    "AppInfo",
    "EventInfo",
    "PluginInfo",
    "ServerInfo",
    "app_info",
    "loaded_plugins",
    "read_streams",
    "running_apps",
    "server_info",
    "write_streams",
]


@dataclass(frozen=True)
class ServerInfo:
    """The server process: where it runs and which engine runs it."""

    host_name: str
    pid: str
    engine_name: str
    engine_version: str


@dataclass(frozen=True)
class EventInfo:
    """One effective event of an app: SHUFFLE stages (``event$stage``) and services count as events.

    ``reads`` and ``writes`` are the stream names the event consumes and publishes to, queues
    applied (``<stream>.<queue>``), as the stream manager sees them.
    """

    name: str
    base_name: str
    type: EventType
    plug_mode: EventPlugMode
    descriptor: EventDescriptor
    reads: Tuple[str, ...]
    writes: Tuple[str, ...]
    running: bool


@dataclass(frozen=True)
class AppInfo:
    """An app (or plugin app) this server started, with its config and its events."""

    app_key: str
    app_config: AppConfig
    plugin_keys: Tuple[str, ...]
    #: the events as configured (``app_config.events``)
    configured_events: Dict[str, EventDescriptor]
    #: the events the engine runs: SHUFFLE stages expanded, events of disabled groups left out
    effective_events: Dict[str, EventDescriptor]
    events: Tuple[EventInfo, ...]


def server_info() -> ServerInfo:
    """Host name, pid and engine of this process."""
    return ServerInfo(
        host_name=socket.gethostname(), pid=str(os.getpid()), engine_name=ENGINE_NAME, engine_version=ENGINE_VERSION
    )


def _queued(name: str, queue: str) -> str:
    return name if queue == StreamQueue.AUTO else f"{name}.{queue}"


def read_streams(descriptor: EventDescriptor) -> Tuple[str, ...]:
    """Streams an event reads: ``<name>`` for the ``AUTO`` queue, ``<name>.<queue>`` for the others."""
    read = descriptor.read_stream
    if read is None:
        return ()
    return tuple(_queued(read.name, queue) for queue in read.queues)


def write_streams(descriptor: EventDescriptor) -> Tuple[str, ...]:
    """Streams an event may publish to (spec engine §10.4).

    With ``PROPAGATE``, the ``AUTO`` queue writes to the queue of the message being processed, so
    an event reading queues ``a`` and ``b`` may write ``<name>.a`` and ``<name>.b`` as well.
    """
    write = descriptor.write_stream
    if write is None:
        return ()
    found: List[str] = []
    upstream = list(descriptor.read_stream.queues) if descriptor.read_stream is not None else [StreamQueue.AUTO]
    for queue in write.queues:
        if queue == StreamQueue.AUTO and write.queue_strategy == StreamQueueStrategy.PROPAGATE:
            found.extend(_queued(write.name, up) for up in upstream)
        else:
            found.append(_queued(write.name, queue))
    return tuple(dict.fromkeys(found))  # in order, once each


def _event_info(engine: AppEngine, name: str, descriptor: EventDescriptor) -> EventInfo:
    return EventInfo(
        name=name,
        base_name=base_event_name(name),
        type=descriptor.type,
        plug_mode=descriptor.plug_mode,
        descriptor=descriptor,
        reads=read_streams(descriptor),
        writes=write_streams(descriptor),
        running=engine.is_running(name),
    )


def _app_info(engine: AppEngine) -> AppInfo:
    config = engine.app_config
    effective = dict(engine.effective_events)
    return AppInfo(
        app_key=engine.app_key,
        app_config=config,
        plugin_keys=tuple(plugin.app_key() for plugin in config.plugins),
        configured_events=dict(config.events),
        effective_events=effective,
        events=tuple(_event_info(engine, name, descriptor) for name, descriptor in effective.items()),
    )


def running_apps() -> List[AppInfo]:
    """The apps and plugin apps this server started, in start order (plugins before their apps)."""
    return [_app_info(engine) for engine in list(runtime.server.app_engines.values())]


def app_info(app_key: str) -> AppInfo:
    """One started app by key (``<name>.<version with x>``, e.g. ``simple-example.1x0``).

    :raises KeyError: the app is not started here; the message lists those that are.
    """
    return _app_info(runtime.server.app_engine(app_key=app_key))
