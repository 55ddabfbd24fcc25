"""``EventContext``: keys, env, settings and the track id filter (spec engine §9.1)."""

from datetime import datetime, timedelta, timezone

from hopeit.app.config import AppConfig, EventSettings
from hopeit.app.context import EventContext
from hopeit.server.metrics import metrics
from hopeit.testing.apps import config
from plugin_app import HOST1_CONFIG, PLUGIN_CONFIG

TRACK = {
    "track.operation_id": "op",
    "track.request_id": "r",
    "track.request_ts": "ts",
    "track.session_id": "s",
    "track.client_app_key": "caller.1x0",
    "track.client_event_name": "ev",
    "track.unknown": "dropped",
    "stream.name": "n",
    "stream.msg_id": "m",
    "stream.consumer_group": "g",
    "stream.submit_ts": "st",
    "other": "dropped",
}


def test_own_event_context(mock_app_config: AppConfig) -> None:
    """Keys, app, env, settings and event info of an app's own event."""
    settings = EventSettings(response_timeout=5.0)
    context = EventContext(
        app_config=mock_app_config,
        plugin_config=mock_app_config,
        event_name="mock_get",
        settings=settings,
        track_ids=TRACK,
        auth_info={"allowed": True},
    )
    assert context.app_key == context.plugin_key == "mock_app.1x0"
    assert context.app is mock_app_config.app
    assert context.env == {"storage": {"path": "/tmp/mock_app.1x0.storage.path"}}
    assert context.settings is settings and context.auth_info == {"allowed": True}
    assert context.event_name == "mock_get" and context.event_info is mock_app_config.events["mock_get"]
    assert context.creation_ts.tzinfo is not None
    assert repr(context) == "EventContext(app_key='mock_app.1x0', event_name='mock_get')"


def test_creation_ts_reads_and_sets_as_utc_datetime(mock_app_config: AppConfig) -> None:
    """``creation_ts`` is the UTC time of creation; setting it (naive taken as UTC) moves the durations' origin."""
    before = datetime.now(tz=timezone.utc)
    context = EventContext(app_config=mock_app_config, plugin_config=mock_app_config, event_name="mock_get",
                           settings=EventSettings(), track_ids={}, auth_info={})
    assert before - timedelta(milliseconds=1) <= context.creation_ts <= datetime.now(tz=timezone.utc)
    context.creation_ts = datetime(2024, 5, 6, 7, 8, 9, 123456)
    assert context.creation_ts == datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc)
    context.creation_ts = datetime.now(tz=timezone.utc) - timedelta(seconds=2)
    assert 2000 <= metrics(context)["metrics.duration"] < 60000


def test_track_ids_are_filtered_and_ordered(mock_app_config: AppConfig) -> None:
    """Only client ids and configured track headers are kept, in that order, then ``event.app``."""
    context = EventContext(
        app_config=mock_app_config,
        plugin_config=mock_app_config,
        event_name="mock_get",
        settings=EventSettings(),
        track_ids=TRACK,
        auth_info={},
    )
    assert list(context.track_ids.items()) == [
        ("track.operation_id", "op"),
        ("track.client_app_key", "caller.1x0"),
        ("track.client_event_name", "ev"),
        ("track.request_id", "r"),
        ("track.request_ts", "ts"),
        ("track.session_id", "s"),
        ("event.app", "mock_app.1x0"),
    ]


def test_stream_events_keep_stream_fields(mock_app_config: AppConfig) -> None:
    """STREAM events also keep their logging ``stream_fields`` (default name, msg_id, consumer_group)."""
    context = EventContext(
        app_config=mock_app_config,
        plugin_config=mock_app_config,
        event_name="mock_stream",
        settings=EventSettings(),
        track_ids=TRACK,
        auth_info={},
    )
    assert context.track_ids["stream.name"] == "n" and context.track_ids["stream.msg_id"] == "m"
    assert context.track_ids["stream.consumer_group"] == "g"
    assert "stream.submit_ts" not in context.track_ids


def test_stage_event_uses_base_event_info(mock_app_config: AppConfig) -> None:
    """``$stage`` names keep the full name; ``event_info`` is the base event's descriptor."""
    context = EventContext(
        app_config=mock_app_config,
        plugin_config=mock_app_config,
        event_name="mock_shuffle$consume",
        settings=EventSettings(),
        track_ids={},
        auth_info={},
    )
    assert context.event_name == "mock_shuffle$consume"
    assert context.event_info is mock_app_config.events["mock_shuffle"]
    assert context.track_ids == {"event.app": "mock_app.1x0"}


def test_plugin_event_on_host_app() -> None:
    """A plugin event run for a host app: host app key, plugin key, merged env, ``event.plugin`` id."""
    plugin, host = config(PLUGIN_CONFIG), config(HOST1_CONFIG)
    context = EventContext(
        app_config=host,
        plugin_config=plugin,
        event_name="on_app_get",
        settings=EventSettings(),
        track_ids={"track.request_id": "r"},
        auth_info={},
    )
    assert context.app_key == "host_one.1x0" and context.plugin_key == "plugin_app.1x0"
    assert context.app is host.app
    assert context.event_info is plugin.events["on_app_get"]
    # top-level env sections of the app win over the plugin's
    assert context.env == {"plugin": {"origin": "plugin"}, "shared": {"origin": "host-one"}}
    assert context.track_ids == {"track.request_id": "r", "event.app": "host_one.1x0", "event.plugin": "plugin_app.1x0"}
