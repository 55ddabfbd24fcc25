"""What a step sees of the world (``EventContext``) and the request/response hooks of web events."""

from datetime import datetime, timezone
from typing import Any, Dict, List

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


class EventContext:
    """Context of one event execution: app, settings, env, track ids and auth info."""

    __slots__ = (
        "app",
        "app_key",
        "auth_info",
        "creation_ts",
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
        self.app_key = app_config.app_key()
        self.app: AppDescriptor = app_config.app
        self.plugin_key = plugin_config.app_key()
        self.env = {**plugin_config.env, **app_config.env}
        self.event_name = event_name
        self.settings = settings
        base_event = event_name.split("$", 1)[0]
        self.event_info: EventDescriptor = plugin_config.events[base_event]
        self.creation_ts = datetime.now(tz=timezone.utc)
        self.auth_info = auth_info
        allowed: List[str] = _CLIENT_TRACK_IDS + app_config.engine.track_headers
        if self.event_info.type == EventType.STREAM:
            allowed = allowed + settings.logging.stream_fields
        kept = {key: track_ids[key] for key in allowed if key in track_ids}
        kept["event.app"] = self.app_key
        if self.plugin_key != self.app_key:
            kept["event.plugin"] = self.plugin_key
        self.track_ids: Dict[str, str] = kept

    def __repr__(self) -> str:
        return f"EventContext(app_key={self.app_key!r}, event_name={self.event_name!r})"
