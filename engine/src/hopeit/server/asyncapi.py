"""AsyncAPI 3.0 document of the streams apps write and read, built from their configs and modules.

One channel per stream, named as the stream manager sees it (``<write_stream.name>`` for the
``AUTO`` queue, ``<name>.<queue>`` for the others, the automatic streams between ``SHUFFLE``
stages marked ``x-hopeit-internal``). Each event that writes a stream is a ``send`` operation and
each STREAM event (or stage) that reads one a ``receive`` operation, its consumer group in
``x-hopeit-consumer-group`` (AsyncAPI 3 has no Redis binding for consumer groups). Messages are
the data objects the events write and read, with the schemas the OpenAPI spec uses, and the
message fields the engine writes beside the payload (``hopeit.streams.messages``) as headers.

Building it imports the event modules (as starting the apps would) and nothing of aiohttp; the
web server serves it beside the OpenAPI spec (``hopeit.web.asyncapi``), ``hopeit_asyncapi``
writes it to a file.
"""

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence
from urllib.parse import urlsplit

from hopeit.app.config import AppConfig, EventDescriptor, EventPlugMode, StreamQueue
from hopeit.contracts.settings import ServerConfig, StreamsConfig
from hopeit.contracts.version import ENGINE_VERSION
from hopeit.dataobjects.schema import schema_with_components
from hopeit.server.asyncapi_schemas import asyncapi_schema, message_headers_schema, read_types, written_types
from hopeit.server.events import base_event_name, event_module, resolve_effective_events
from hopeit.server.runtime_api import read_streams, write_streams
from hopeit.server.steps import effective_steps, extract_module_steps

__all__ = ["ASYNCAPI_VERSION", "CONSUMER_GROUP_FIELD", "HEADERS_SCHEMA", "asyncapi_document", "streams_server"]

ASYNCAPI_VERSION = "3.0.0"
#: Operation field holding the consumer group of a ``receive`` operation.
CONSUMER_GROUP_FIELD = "x-hopeit-consumer-group"
#: Name of the message headers schema in ``components.schemas``.
HEADERS_SCHEMA = "hopeit.MessageHeaders"
DEFAULT_TITLE = "hopeit.engine streams"

_NOT_AN_ID = re.compile(r"[^\w.\-]")


@dataclass(frozen=True)
class _StreamUse:
    """One event writing (``send``) or reading (``receive``) one stream."""

    app_config: AppConfig
    event_name: str
    descriptor: EventDescriptor
    action: str
    address: str
    base_stream: str
    types: List[type]
    internal: bool

    @property
    def queue(self) -> str:
        return self.address[len(self.base_stream) + 1:] if self.address != self.base_stream else StreamQueue.AUTO


def _event_uses(app_config: AppConfig, event_name: str, descriptor: EventDescriptor) -> List[_StreamUse]:
    configured = app_config.events[base_event_name(event_name)]
    module = event_module(app_config, event_name, configured)
    steps = effective_steps(event_name, extract_module_steps(module))
    uses: List[_StreamUse] = []
    write = descriptor.write_stream
    if write is not None:
        # SHUFFLE stages write to an automatic stream the configured event does not name
        internal = configured.write_stream is None or configured.write_stream.name != write.name
        types = written_types(steps)
        uses += [_StreamUse(app_config, event_name, descriptor, "send", address, write.name, types, internal)
                 for address in write_streams(descriptor)]
    read = descriptor.read_stream
    if read is not None:
        internal = configured.read_stream is None or configured.read_stream.name != read.name
        types = read_types(steps, configured.dataobjects)
        uses += [_StreamUse(app_config, event_name, descriptor, "receive", address, read.name, types, internal)
                 for address in read_streams(descriptor)]
    return uses


def _stream_uses(apps: Sequence[AppConfig], enabled_groups: Sequence[str]) -> List[_StreamUse]:
    uses: List[_StreamUse] = []
    for app_config in apps:
        for event_name, descriptor in resolve_effective_events(app_config, list(enabled_groups)).items():
            # OnApp events run for the apps using the plugin, never as the plugin's own streams
            if descriptor.plug_mode == EventPlugMode.STANDALONE:
                uses += _event_uses(app_config, event_name, descriptor)
    return uses


def _new_id(wanted: str, taken: Dict[str, Any]) -> str:
    """``wanted`` with characters AsyncAPI ids do not take replaced, unique among ``taken``."""
    found = base = _NOT_AN_ID.sub("_", wanted)
    count = 1
    while found in taken:
        count += 1
        found = f"{base}_{count}"
    return found


class _Document:
    """Channels, operations and components, filled in one stream use at a time."""

    def __init__(self) -> None:
        self.channels: Dict[str, Dict[str, Any]] = {}
        self.operations: Dict[str, Dict[str, Any]] = {}
        self.schemas: Dict[str, Any] = {}
        self.messages: Dict[str, Dict[str, Any]] = {}
        self._channel_ids: Dict[str, str] = {}
        self._message_ids: Dict[type, str] = {}

    def message(self, datatype: type) -> str:
        """Id of the message of ``datatype`` in ``components.messages``, adding it (and its schemas)."""
        found = self._message_ids.get(datatype)
        if found is not None:
            return found
        payload, components = schema_with_components(datatype)
        for name, component in components.items():
            self.schemas.setdefault(name, asyncapi_schema(component))
        found = self._message_ids[datatype] = _new_id(datatype.__name__, self.messages)
        message: Dict[str, Any] = {
            "name": f"{datatype.__module__}.{datatype.__qualname__}",
            "title": datatype.__name__,
            "contentType": "application/json",
            "headers": {"$ref": f"#/components/schemas/{HEADERS_SCHEMA}"},
            "payload": asyncapi_schema(payload),
        }
        summary = (datatype.__doc__ or "").strip().split("\n")[0]
        if summary:
            message["summary"] = summary
        self.messages[found] = message
        return found

    def channel(self, use: _StreamUse) -> str:
        """Id of the channel of ``use``'s stream, adding it on first use."""
        found = self._channel_ids.get(use.address)
        if found is not None:
            if not use.internal:
                self.channels[found].pop("x-hopeit-internal", None)
            return found
        found = self._channel_ids[use.address] = _new_id(use.address, self.channels)
        queue = use.queue
        description = f"Stream `{use.address}`"
        if queue != StreamQueue.AUTO:
            description += f": queue `{queue}` of `{use.base_stream}`"
        channel: Dict[str, Any] = {
            "address": use.address,
            "description": description + ".",
            "messages": {},
            "x-hopeit-stream": use.base_stream,
            "x-hopeit-queue": queue,
        }
        if use.internal:
            channel["description"] += (f" Automatic stream between the SHUFFLE stages of event "
                                       f"`{base_event_name(use.event_name)}` of `{use.app_config.app_key()}`.")
            channel["x-hopeit-internal"] = True
        self.channels[found] = channel
        return found

    def add(self, use: _StreamUse) -> None:
        """The operation of ``use``, on its channel, with its messages."""
        channel_id = self.channel(use)
        channel_messages = self.channels[channel_id]["messages"]
        refs = []
        for datatype in use.types:
            message_id = self.message(datatype)
            channel_messages[message_id] = {"$ref": f"#/components/messages/{message_id}"}
            refs.append({"$ref": f"#/channels/{channel_id}/messages/{message_id}"})
        app_key = use.app_config.app_key()
        verb = "writes to" if use.action == "send" else "reads"
        operation: Dict[str, Any] = {
            "action": use.action,
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "summary": f"{use.event_name} ({use.descriptor.type.value}) of {app_key} {verb} {use.address}",
            # none found (steps taking or giving ``DataObject``...): any message of the channel
            **({"messages": refs} if refs else {}),
            "tags": [{"name": app_key}],
            "x-hopeit-app": app_key,
            "x-hopeit-event": use.event_name,
            "x-hopeit-event-type": use.descriptor.type.value,
        }
        if use.action == "send":
            stream_settings = (use.app_config.effective_settings or {}).get(
                base_event_name(use.event_name), {}).get("stream", {})
            operation["x-hopeit-serialization"] = _text(stream_settings.get("serialization"))
            operation["x-hopeit-compression"] = _text(stream_settings.get("compression"))
            assert use.descriptor.write_stream is not None
            operation["x-hopeit-queue-strategy"] = use.descriptor.write_stream.queue_strategy.value
        else:
            assert use.descriptor.read_stream is not None
            operation[CONSUMER_GROUP_FIELD] = use.descriptor.read_stream.consumer_group
        suffix = "" if use.queue == StreamQueue.AUTO else f".{use.queue}"
        self.operations[_new_id(f"{app_key}.{use.event_name}.{use.action}{suffix}", self.operations)] = operation


def _text(value: Any) -> Optional[str]:
    return None if value is None else str(getattr(value, "value", value))


def streams_server(streams: StreamsConfig) -> Dict[str, Any]:
    """AsyncAPI Server Object of the stream manager in server config (credentials left out)."""
    manager = streams.stream_manager
    server: Dict[str, Any] = {"x-hopeit-stream-manager": manager}
    if manager == "memory" or manager.startswith("hopeit.streams."):
        server.update(host="localhost", protocol="memory",
                      description="hopeit.engine's in-process stream manager: streams live in the server process.")
        return server
    parts = urlsplit(streams.connection_str)
    host = parts.hostname or "unknown"
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    is_redis = "redis" in manager.lower() or parts.scheme in ("redis", "rediss")
    server.update(host=host, protocol="redis" if is_redis else (parts.scheme or manager))
    if parts.netloc and parts.path.strip("/"):  # a path of a URL (a Redis db number), not a bare name
        server["pathname"] = parts.path
    server["description"] = f"Stream manager `{manager}`" + (" over TLS." if parts.scheme == "rediss" else ".")
    return server


def asyncapi_document(
    server_config: ServerConfig,
    apps: Sequence[AppConfig],
    *,
    title: Optional[str] = None,
    version: Optional[str] = None,
    description: Optional[str] = None,
    enabled_groups: Sequence[str] = (),
) -> Dict[str, Any]:
    """The AsyncAPI 3.0 document of the streams ``apps`` write and read (plugin apps included).

    ``enabled_groups`` leaves out events of other groups, as ``hopeit_server run --enabled-groups``.

    :raises ImportError: an event module, or a class in an event's ``dataobjects``, is not found.
    """
    document = _Document()
    for use in _stream_uses(apps, enabled_groups):
        document.add(use)
    track_headers = list(dict.fromkeys(h for app in apps for h in app.engine.track_headers))
    app_keys = ", ".join(app.app_key() for app in apps)
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": title or DEFAULT_TITLE,
            "version": version or "1.0",
            "description": description or f"Streams written and read by {app_keys} (hopeit.engine {ENGINE_VERSION}).",
        },
        "defaultContentType": "application/json",
        "servers": {"streams": streams_server(server_config.streams)},
        "channels": document.channels,
        "operations": document.operations,
        "components": {
            "schemas": {HEADERS_SCHEMA: message_headers_schema(track_headers), **document.schemas},
            "messages": document.messages,
        },
    }
