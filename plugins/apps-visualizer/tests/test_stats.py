"""Live stats: entries counted per event and stream over the windows, and the classes they give."""

from datetime import datetime, timedelta, timezone
from typing import Dict, Optional, Tuple

from hopeit.apps_visualizer.event_stats.live import live_classes, stats_classes
from hopeit.apps_visualizer.event_stats.stats import EventStats, entry_keys, get_stats
from hopeit.apps_visualizer.site.visualization import CytoscapeGraph
from hopeit.log_streamer import LogEntry

NOW = datetime(2026, 1, 2, 10, 0, 0, tzinfo=timezone.utc)
HOST = ("host-a", "101")
STREAM = "simple_example.1x0.streams.something_event"


def entry(msg: str, seconds_ago: float, event: str = "query_something", host: Tuple[str, str] = HOST,
          extra: Optional[Dict[str, str]] = None) -> LogEntry:
    ts = (NOW - timedelta(seconds=seconds_ago)).strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]
    return LogEntry(ts=ts, msg=msg, app_name="simple-example", app_version="1.0", event_name=event,
                    event=f"simple_example.1x0.{event}", extra=dict(extra or {}), host=host[0], pid=host[1])


def stats_of(*entries: LogEntry, window: float = 60, recent: float = 10) -> Dict[str, EventStats]:
    return get_stats(entries, {HOST}, time_window_secs=window, recent_secs=recent, now=NOW)


def test_counts_each_kind_and_pending() -> None:
    stats = stats_of(entry("START", 5), entry("START", 5), entry("START", 4), entry("DONE", 4),
                     entry("FAILED", 3), entry("IGNORED", 30), entry("DEBUG", 1))
    found = stats["simple_example.1x0.query_something"]
    assert (found.started, found.done, found.failed, found.ignored) == (3, 1, 1, 1)
    assert found.recent == 5, "the IGNORED entry is 30 s old, the DEBUG one is not counted"
    assert found.pending == 0
    assert stats_of(entry("START", 1), entry("START", 1))["simple_example.1x0.query_something"].pending == 2
    assert EventStats(started=1, done=3).pending == 0


def test_only_entries_in_the_window_and_of_the_drawn_servers() -> None:
    stats = stats_of(entry("START", 120), entry("START", 5, host=("host-b", "101")), entry("START", 59))
    assert stats["simple_example.1x0.query_something"].started == 1
    assert stats_of(entry("START", 120)) == {}


def test_event_keys_follow_the_graph() -> None:
    mounted = entry("START", 1, event="batch_buffers",
                    extra={"event.app": "simple_example.1x0", "event.plugin": "fs_storage.1x0"})
    assert entry_keys(mounted) == ("simple_example.1x0.fs_storage.1x0.batch_buffers", None, None)
    stage = entry("START", 1, event="shuffle.spawn_event",
                  extra={"stream.event_name": "shuffle.spawn_event$update_status"})
    assert entry_keys(stage)[0] == "simple_example.1x0.shuffle.spawn_event$update_status"


def test_stream_entries_count_for_the_stream_and_its_queue() -> None:
    high = entry("START", 1, event="streams.process_events",
                 extra={"stream.name": f"{STREAM}.high-prio", "stream.queue": "high-prio"})
    auto = entry("DONE", 1, event="streams.process_events", extra={"stream.name": STREAM})
    assert entry_keys(high)[1:] == (f">{STREAM}", f">{STREAM}.high-prio")
    assert entry_keys(auto)[1:] == (f">{STREAM}", f">{STREAM}.AUTO")
    stats = stats_of(high, auto)
    assert (stats[f">{STREAM}"].started, stats[f">{STREAM}"].done) == (1, 1)
    assert (stats[f">{STREAM}.high-prio"].started, stats[f">{STREAM}.AUTO"].done) == (1, 1)
    assert stats["simple_example.1x0.streams.process_events"].started == 1


def test_classes_of_stats() -> None:
    assert stats_classes(EventStats()) == set()
    assert stats_classes(EventStats(started=2, done=1, recent=1)) == {"STARTED", "PENDING", "RECENT"}
    assert stats_classes(EventStats(started=1, failed=1, ignored=1)) == {"STARTED", "FAILED", "IGNORED"}


def test_live_classes_colour_nodes_edges_requests_and_streams() -> None:
    se = "simple_example.1x0"
    graph = CytoscapeGraph(data={
        f"{se}.query_something.GET": {"data": {"id": f"{se}.query_something.GET", "content": "GET"},
                                      "classes": "REQUEST"},
        f"{se}.query_something": {"data": {"id": f"{se}.query_something", "content": "x"}, "classes": "EVENT"},
        f"edge_{se}.query_something.GET": {"data": {
            "id": f"edge_{se}.query_something.GET", "source": f"{se}.query_something.GET",
            "target": f"{se}.query_something", "label": ""}},
        f">{STREAM}": {"data": {"id": f">{STREAM}", "content": "s"}, "classes": "STREAM"},
        f"edge_{se}.streams.something_event.{STREAM}.high-prio": {"data": {
            "id": f"edge_{se}.streams.something_event.{STREAM}.high-prio",
            "source": f"{se}.streams.something_event", "target": f">{STREAM}", "label": "high-prio"}},
        f"edge_{se}.streams.process_events.{STREAM}.AUTO": {"data": {
            "id": f"edge_{se}.streams.process_events.{STREAM}.AUTO",
            "source": f">{STREAM}", "target": f"{se}.streams.process_events", "label": ""}},
        f"{se}.idle": {"data": {"id": f"{se}.idle", "content": "x"}, "classes": "EVENT"},
    })
    live_classes(graph, {
        f"{se}.query_something": EventStats(started=1, done=1, recent=2),
        f"{se}.streams.something_event": EventStats(started=1, failed=1),
        f">{STREAM}.AUTO": EventStats(started=1),
    })
    data = graph.data
    assert data[f"{se}.query_something.GET"]["classes"] == "RECENT REQUEST STARTED"
    assert data[f"{se}.query_something"]["classes"] == "EVENT RECENT STARTED"
    assert data[f"edge_{se}.query_something.GET"]["classes"] == "RECENT STARTED"
    assert data[f"edge_{se}.streams.something_event.{STREAM}.high-prio"]["classes"] == "FAILED STARTED"
    assert data[f">{STREAM}"]["classes"] == "FAILED STARTED STREAM", "a written stream shows its writer's state"
    assert data[f"edge_{se}.streams.process_events.{STREAM}.AUTO"]["classes"] == "PENDING STARTED"
    assert data[f"{se}.idle"]["classes"] == "EVENT"
