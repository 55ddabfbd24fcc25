"""Durations and stream statistics logged with each event."""

import time
from datetime import datetime, timezone
from typing import Any, Dict, Optional

__all__ = ["StreamStats", "duration_ms", "metrics", "stream_metrics"]


def _ms_since(ts: datetime, now: datetime) -> float:
    return (now - ts).total_seconds() * 1000.0


def duration_ms(context: Any) -> float:
    """Milliseconds since the context was created, rounded to microseconds."""
    created: Optional[float] = getattr(context, "_created", None)  # a float in EventContext: no datetime per event
    if created is None:
        return round(_ms_since(context.creation_ts, datetime.now(tz=timezone.utc)), 3)
    return round((time.time() - created) * 1000.0, 3)


def metrics(context: Any) -> Dict[str, Any]:
    """``metrics.duration``: milliseconds since the context was created."""
    return {"metrics.duration": duration_ms(context)}


def _parse_ts(value: Optional[str]) -> Optional[datetime]:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def stream_metrics(context: Any) -> Dict[str, Any]:
    """``metrics.stream_age`` (read - submit) and ``metrics.request_elapsed`` (now - request), in ms."""
    track = context.track_ids
    result: Dict[str, Any] = {}
    submit_ts, read_ts = _parse_ts(track.get("stream.submit_ts")), _parse_ts(track.get("stream.read_ts"))
    if submit_ts and read_ts:
        result["metrics.stream_age"] = round(_ms_since(submit_ts, read_ts), 3)
    request_ts = _parse_ts(track.get("track.request_ts"))
    if request_ts:
        result["metrics.request_elapsed"] = round(_ms_since(request_ts, datetime.now(tz=timezone.utc)), 3)
    return result


class StreamStats:
    """Counters of a stream read loop; ``calc()`` reports and restarts the partial window."""

    def __init__(self) -> None:
        self.start_ts = time.monotonic()
        self.window_ts = self.start_ts
        self.total_consumed = 0
        self.total_errors = 0
        self.consumed = 0
        self.errors = 0
        self.duration_ms = 0.0
        self.total_duration_ms = 0.0
        self.started = False

    def ensure_start(self) -> "StreamStats":
        """Start counting on the first message."""
        if not self.started:
            self.started = True
            self.start_ts = self.window_ts = time.monotonic()
        return self

    def inc(self, error: bool = False, duration_ms: float = 0.0) -> "StreamStats":
        """Count one processed message."""
        self.consumed += 1
        self.total_consumed += 1
        self.duration_ms += duration_ms
        self.total_duration_ms += duration_ms
        if error:
            self.errors += 1
            self.total_errors += 1
        return self

    def calc(self) -> Dict[str, Any]:
        """Rates (per second) and durations (ms) overall and for the window since the last call."""
        now = time.monotonic()
        elapsed = max(now - self.window_ts, 1e-9)
        uptime = max(now - self.start_ts, 1e-9)
        ok, total_ok = self.consumed - self.errors, self.total_consumed - self.total_errors
        result = {
            "total_consumed_events": self.total_consumed,
            "total_errors": self.total_errors,
            "avg_rate": round(self.total_consumed / uptime, 3),
            "avg_event_duration": round(self.total_duration_ms / max(self.total_consumed, 1), 3),
            "avg_rate_ok_events": round(total_ok / uptime, 3),
            "avg_success": round(total_ok / max(self.total_consumed, 1), 3),
            "avg_error_rate": round(self.total_errors / max(self.total_consumed, 1), 3),
            "elapsed_ms": round(elapsed * 1000.0, 3),
            "consumed_events": self.consumed,
            "errors": self.errors,
            "rate": round(self.consumed / elapsed, 3),
            "event_duration": round(self.duration_ms / max(self.consumed, 1), 3),
            "rate_ok_events": round(ok / elapsed, 3),
            "uptime_minutes": round(uptime / 60.0, 3),
            "success_rate": round(ok / max(self.consumed, 1), 3),
            "error_rate": round(self.errors / max(self.consumed, 1), 3),
        }
        self.window_ts, self.consumed, self.errors, self.duration_ms = now, 0, 0, 0.0
        return result
