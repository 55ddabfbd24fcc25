"""What a step sees of the world (``EventContext``) and the request/response hooks of web events."""

import time
from datetime import datetime, timezone
from typing import Any, Dict, List, NamedTuple, Optional, Tuple, Union

from hopeit.app import trace_context
from hopeit.app._hooks import (
    BodyPartReaderProtocol,
    MultipartReaderProtocol,
    NoopMultiparReader,
    PostprocessHook,
    PostprocessStreamResponseHook,
    PostprocessTestingStreamResponseHook,
    PreprocessFileHook,
    PreprocessHeaders,
    PreprocessHook,
    TestingResp,
)
from hopeit.app.config import AppConfig, AppDescriptor, EventDescriptor, EventSettings, EventType
from hopeit.app.names import base_event_name
from hopeit.app.trace_context import TRACEPARENT, TRACESTATE, OutgoingTrace, TraceContext

__all__ = [
    "BodyPartReaderProtocol",
    "EventContext",
    "MultipartReaderProtocol",
    "NoopMultiparReader",
    "PostprocessHook",
    "PostprocessStreamResponseHook",
    "PostprocessTestingStreamResponseHook",
    "PreprocessFileHook",
    "PreprocessHeaders",
    "PreprocessHook",
    "TestingResp",
]

_CLIENT_TRACK_IDS = ["track.operation_id", "track.client_app_key", "track.client_event_name"]


class _Shape(NamedTuple):
    """What every context of one event of one app has in common."""

    refs: Tuple[Any, ...]  # keeps the keyed objects alive, so their ids cannot be reused
    app: AppDescriptor
    settings: EventSettings
    app_key: str
    plugin_key: str
    env: Dict[str, Any]
    event_info: EventDescriptor
    allowed: Tuple[str, ...]


_shapes: Dict[Tuple[int, int, str, int], _Shape] = {}


def _context_shape(app_config: AppConfig, plugin_config: AppConfig, event_name: str, settings: EventSettings) -> _Shape:
    """What the contexts of an event share, built once (contexts are made per request and message)."""
    key = (id(app_config), id(plugin_config), event_name, id(settings))
    shape = _shapes.get(key)
    if shape is None:
        app_key, plugin_key = app_config.app_key(), plugin_config.app_key()
        event_info = plugin_config.events[base_event_name(event_name)]
        allowed: List[str] = _CLIENT_TRACK_IDS + app_config.engine.track_headers
        if event_info.type == EventType.STREAM:
            allowed = allowed + settings.logging.stream_fields
        if len(_shapes) > 4096:
            _shapes.clear()
        shape = _shapes[key] = _Shape(
            (app_config, plugin_config, settings),
            app_config.app,
            settings,
            app_key,
            plugin_key,
            {**plugin_config.env, **app_config.env},
            event_info,
            tuple(allowed),
        )
    return shape


_NO_SPANS = trace_context.SpanHooks()


class EventContext:
    """Context of one event execution: app, settings, env, track ids and auth info."""

    __slots__ = (
        "_created",
        "_trace",
        "app",
        "app_key",
        "auth_info",
        "env",
        "event_info",
        "event_name",
        "plugin_key",
        "settings",
        "track_ids",
    )

    def __init__(
        self,
        *,
        app_config: AppConfig,
        plugin_config: AppConfig,
        event_name: str,
        settings: EventSettings,
        track_ids: Dict[str, str],
        auth_info: Dict[str, Any],
    ) -> None:
        self._fill(_context_shape(app_config, plugin_config, event_name, settings), event_name, track_ids, auth_info)

    @classmethod
    def _of_shape(
        cls, shape: _Shape, event_name: str, track_ids: Dict[str, str], auth_info: Dict[str, Any]
    ) -> "EventContext":
        """A context of an event whose shape the caller keeps (the web routes and stream loops)."""
        context = cls.__new__(cls)
        context._fill(shape, event_name, track_ids, auth_info)
        return context

    def _fill(self, shape: _Shape, event_name: str, track_ids: Dict[str, str], auth_info: Dict[str, Any]) -> None:
        self.app_key = shape.app_key
        self.app: AppDescriptor = shape.app
        self.plugin_key = shape.plugin_key
        self.env = dict(shape.env)
        self.event_name = event_name
        self.settings: EventSettings = shape.settings
        self.event_info: EventDescriptor = shape.event_info
        self._created = time.time()
        self.auth_info = auth_info
        kept = {key: track_ids[key] for key in shape.allowed if key in track_ids}
        kept["event.app"] = self.app_key
        if self.plugin_key != self.app_key:
            kept["event.plugin"] = self.plugin_key
        self.track_ids: Dict[str, str] = kept
        # the incoming trace context, as text: parsed (or a trace started) only when ``trace`` is used
        parent = track_ids.get(TRACEPARENT)
        self._trace: Union[Tuple[str, Optional[str]], TraceContext, None] = (
            None if parent is None else (parent, track_ids.get(TRACESTATE))
        )

    @property
    def trace(self) -> TraceContext:
        """The W3C trace context of this event: the incoming one continued, or a new trace (made once, on first use)."""
        trace = self._trace
        if trace.__class__ is TraceContext:
            return trace  # type: ignore[return-value]
        made = self._trace = (
            TraceContext.continued(None) if trace is None else TraceContext.continued(*trace)  # type: ignore[misc]
        )
        return made

    @trace.setter
    def trace(self, value: TraceContext) -> None:
        self._trace = value

    def outgoing_trace(self, kind: str, name: str) -> OutgoingTrace:
        """The trace headers of a write to a stream (``kind="PRODUCER"``) or a call (``"CLIENT"``) named ``name``.

        A child span of this event's: use it as a context manager around the write or call, and
        send its ``headers`` (``traceparent`` and ``tracestate``) along.
        """
        return (trace_context.hooks or _NO_SPANS).outgoing(self.trace, kind, name, self.track_ids)

    @property
    def creation_ts(self) -> datetime:
        """When the context was created (UTC); event durations are measured from it."""
        return datetime.fromtimestamp(self._created, tz=timezone.utc)

    @creation_ts.setter
    def creation_ts(self, value: datetime) -> None:
        self._created = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()

    def __repr__(self) -> str:
        return f"EventContext(app_key={self.app_key!r}, event_name={self.event_name!r})"
