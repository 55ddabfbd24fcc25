"""Durations and stream statistics (spec engine §11.4)."""

import time
from datetime import datetime, timedelta, timezone
from typing import Any, Dict

from hopeit.server.metrics import StreamStats, metrics, stream_metrics


class Context:
    """The two attributes metrics read from an EventContext."""

    def __init__(self, creation_ts: datetime, track_ids: Dict[str, str]) -> None:
        self.creation_ts = creation_ts
        self.track_ids = track_ids


def test_duration_since_context_creation() -> None:
    """``metrics.duration`` in ms with 3 decimals."""
    created = datetime.now(tz=timezone.utc) - timedelta(milliseconds=250)
    duration = metrics(Context(created, {}))["metrics.duration"]
    assert 250 <= duration < 5000 and round(duration, 3) == duration


def test_stream_age_and_request_elapsed() -> None:
    """``stream_age`` = read - submit; ``request_elapsed`` = now - request_ts; Z and naive times are UTC."""
    now = datetime.now(tz=timezone.utc)
    track = {
        "stream.submit_ts": "2024-01-01T00:00:00Z",
        "stream.read_ts": "2024-01-01T00:00:01.500000+00:00",
        "track.request_ts": (now - timedelta(seconds=2)).replace(tzinfo=None).isoformat(),
    }
    result: Dict[str, Any] = stream_metrics(Context(now, track))
    assert result["metrics.stream_age"] == 1500.0
    assert 2000 <= result["metrics.request_elapsed"] < 60000


def test_stream_metrics_skip_missing_or_unreadable_times() -> None:
    """Nothing is reported without both stream times, or when a time cannot be parsed."""
    now = datetime.now(tz=timezone.utc)
    assert stream_metrics(Context(now, {})) == {}
    assert stream_metrics(Context(now, {"stream.submit_ts": "2024-01-01T00:00:00Z", "stream.read_ts": ""})) == {}
    assert stream_metrics(Context(now, {"track.request_ts": "not a time"})) == {}


def test_stream_stats_windows() -> None:
    """``calc()`` reports totals and the window since the last call, then restarts the window."""
    stats = StreamStats()
    assert stats.ensure_start() is stats and stats.started
    start = stats.start_ts
    assert stats.ensure_start().start_ts == start  # only the first call starts the clock
    stats.inc(duration_ms=10.0).inc(duration_ms=30.0).inc(error=True)
    time.sleep(0.01)
    first = stats.calc()
    assert (first["total_consumed_events"], first["total_errors"]) == (3, 1)
    assert (first["consumed_events"], first["errors"]) == (3, 1)
    assert first["event_duration"] == round(40.0 / 3, 3) and first["avg_event_duration"] == round(40.0 / 3, 3)
    assert first["success_rate"] == 0.667 and first["error_rate"] == 0.333
    assert first["avg_success"] == 0.667 and first["avg_error_rate"] == 0.333
    assert first["elapsed_ms"] >= 10 and first["rate"] > 0 and first["rate_ok_events"] > 0
    assert first["avg_rate"] > 0 and first["avg_rate_ok_events"] > 0 and first["uptime_minutes"] >= 0
    assert set(first) == {
        "total_consumed_events",
        "total_errors",
        "avg_rate",
        "avg_event_duration",
        "avg_rate_ok_events",
        "avg_success",
        "avg_error_rate",
        "elapsed_ms",
        "consumed_events",
        "errors",
        "rate",
        "event_duration",
        "rate_ok_events",
        "uptime_minutes",
        "success_rate",
        "error_rate",
    }
    stats.inc(duration_ms=5.0)
    second = stats.calc()
    assert (second["consumed_events"], second["errors"], second["event_duration"]) == (1, 0, 5.0)
    assert (second["total_consumed_events"], second["total_errors"]) == (4, 1)
    assert second["success_rate"] == 1.0 and second["avg_success"] == 0.75
    empty = stats.calc()
    assert (empty["consumed_events"], empty["rate"], empty["success_rate"]) == (0, 0.0, 0.0)
