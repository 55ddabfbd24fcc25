"""Prometheus metrics of a server: the counters the request and stream hooks keep (no aiohttp here).

Metrics are off unless server config ``api.metrics_path`` is set; then
``prometheus_export.enable_metrics`` makes the one ``EngineMetrics`` of the process, which the hooks
reach through module-level ``METRICS`` (``None`` when off: a route is wrapped, and a read loop
counts, only when it is set at their start).

The hooks count into plain Python numbers (a request adds to a few ints and floats, about a
microsecond), never into prometheus-client's own metric objects, whose locks and, with several
workers, memory-mapped files would cost 10 to 20 us a request. ``hopeit.server.prometheus_export``
turns the numbers into the Prometheus text format when ``/metrics`` is scraped: straight from them
in a single process, and through prometheus-client's multiprocess mode under ``--workers N``
(each worker writes its numbers to its files in ``PROMETHEUS_MULTIPROC_DIR`` every
``FLUSH_SECONDS`` and when scraped; the scrape sums the files of every worker).

Nothing here imports prometheus-client: ``prometheus_export`` does, when metrics are turned on.
"""

import os
import shutil
import tempfile
from bisect import bisect_left
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

from hopeit.server.config import ConfigError
from hopeit.server.metrics import duration_ms
from hopeit.streams import StreamEvent, StreamGroupStats, StreamManager

if TYPE_CHECKING:  # pragma: no cover
    from hopeit.server.prometheus_export import Exporter

__all__ = [
    "BUCKETS",
    "FLUSH_SECONDS",
    "INSTALL_HINT",
    "METRICS",
    "MULTIPROC_ENV",
    "EngineMetrics",
    "EventMetrics",
    "GroupMetrics",
    "StreamLoopMetrics",
    "engine_metrics",
    "missing_client",
    "multiprocess_dir",
    "remove_dir",
    "use_metrics",
    "worker_exited",
]

#: Upper bounds (seconds) of the latency histogram buckets; one more bucket (+Inf) takes the rest.
BUCKETS: Tuple[float, ...] = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
#: Seconds between two writes of a worker's numbers to its multiprocess files (``--workers N``).
FLUSH_SECONDS = 1.0
#: prometheus-client's environment variable naming the folder of the multiprocess files.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
INSTALL_HINT = 'pip install "hopeit.engine[metrics]"'


class EventMetrics:
    """Counts of one event (``app``, ``event``, ``event_type``): handled, errors by outcome, latency buckets."""

    __slots__ = ("app", "buckets", "errors", "event", "event_type", "handled", "seconds")

    def __init__(self, app: str, event: str, event_type: str) -> None:
        self.app, self.event, self.event_type = app, event, event_type
        self.handled = 0
        self.seconds = 0.0
        self.buckets = [0] * (len(BUCKETS) + 1)  # not cumulative; the last is +Inf
        #: errors by outcome: ``4xx`` / ``5xx`` (web), ``failed`` (streams)
        self.errors: Dict[str, int] = {}

    def observe(self, seconds: float, error: Optional[str] = None) -> None:
        """Count one request or message that took ``seconds``; ``error``: its outcome when it failed."""
        self.handled += 1
        self.seconds += seconds
        self.buckets[bisect_left(BUCKETS, seconds)] += 1  # first bound >= seconds: Prometheus' ``le``
        if error is not None:
            self.errors[error] = self.errors.get(error, 0) + 1


class GroupMetrics:
    """Counts of one consumer group on one stream, and what its stream manager last told of it."""

    __slots__ = ("consumed", "failed", "group", "manager", "retried", "stats", "stream")

    def __init__(self, stream: str, group: str, manager: Optional[StreamManager]) -> None:
        self.stream, self.group, self.manager = stream, group, manager
        self.consumed = 0  # messages read and run by the loop, whatever came of them
        self.failed = 0  # of those, not acknowledged (left pending), including those that could not be decoded
        self.retried = 0  # runs of the steps again after a failure (``stream.max_retries``)
        self.stats: Optional[StreamGroupStats] = None  # last ``group_stats`` answer (pending, lag, dead-lettered)


class StreamLoopMetrics:
    """What one STREAM read loop counts: its event, and each stream (queue) it reads with its group."""

    __slots__ = ("event", "groups")

    def __init__(self, event: EventMetrics, groups: Dict[str, GroupMetrics]) -> None:
        self.event = event
        self.groups = groups

    def count_batch(self, runs: Sequence[Tuple[str, Any, Any, bool, Any]], acked: Sequence[bool]) -> None:
        """Count a processed batch: ``runs`` as ``hopeit.server._stream_batch`` keeps them, ``acked`` per run."""
        event = self.event
        for (stream_name, item, context, _, _), done in zip(runs, acked):
            group = self.groups.get(stream_name)
            if group is not None:
                group.consumed += 1
                if not done:
                    group.failed += 1
            if isinstance(item, StreamEvent) and context is not None:  # else undecodable: its event never ran
                event.observe(duration_ms(context) / 1000.0, None if done else "failed")

    def count_retry(self, stream_name: str) -> None:
        """Count a retry of a message read from ``stream_name`` (``hopeit.server.stream_retries``)."""
        group = self.groups.get(stream_name)
        if group is not None:
            group.retried += 1


class EngineMetrics:
    """The metrics of this process: by event, by stream and group, and the HTTP requests in flight."""

    def __init__(self, multiprocess: Optional[str] = None) -> None:
        #: folder of the multiprocess files (``--workers N``), or None: one process, exposed directly
        self.multiprocess = multiprocess
        self.events: Dict[Tuple[str, str, str], EventMetrics] = {}
        self.groups: Dict[Tuple[str, str], GroupMetrics] = {}
        self.in_flight = 0  # HTTP requests of events being answered now
        self.exporter: Optional[Exporter] = None  # set by ``prometheus_export.enable_metrics``

    def event(self, app: str, event: str, event_type: str) -> EventMetrics:
        """The counts of an event, made on first use (routes of one event on several apps share them)."""
        key = (app, event, event_type)
        found = self.events.get(key)
        if found is None:
            found = self.events[key] = EventMetrics(app, event, event_type)
        return found

    def stream_loop(
        self, app: str, event: str, manager: Optional[StreamManager], stream_names: List[str], group: str
    ) -> StreamLoopMetrics:
        """The counts a read loop of ``event`` keeps, reading ``stream_names`` as consumer ``group``."""
        groups: Dict[str, GroupMetrics] = {}
        for stream in stream_names:
            found = self.groups.get((stream, group))
            if found is None:
                found = self.groups[(stream, group)] = GroupMetrics(stream, group, manager)
            elif found.manager is None:
                found.manager = manager
            groups[stream] = found
        return StreamLoopMetrics(self.event(app, event, "STREAM"), groups)


#: The metrics of this process, or None when they are off (server config ``api.metrics_path`` unset).
METRICS: Optional[EngineMetrics] = None


def engine_metrics() -> Optional[EngineMetrics]:
    """The metrics of this process, None when off."""
    return METRICS


def use_metrics(metrics: Optional[EngineMetrics]) -> None:
    """Make ``metrics`` this process's (None: metrics off); ``prometheus_export.enable_metrics`` makes them."""
    global METRICS
    METRICS = metrics


def missing_client(exc: ImportError) -> ConfigError:
    """The start-up error of metrics asked for without prometheus-client installed."""
    return ConfigError(
        f"server config api.metrics_path is set but prometheus-client cannot be imported ({exc}): "
        f"{INSTALL_HINT}, or unset api.metrics_path"
    )


def multiprocess_dir(enabled: bool) -> Optional[str]:
    """For the supervisor of ``--workers N``: the folder the workers' metrics files go to, set in the environment.

    None when metrics are off, or when ``PROMETHEUS_MULTIPROC_DIR`` was set already (the folder is
    then whoever set it's to empty). Else a new temporary folder, to be removed with ``remove_dir``.
    """
    if not enabled or os.environ.get(MULTIPROC_ENV):
        return None
    path = tempfile.mkdtemp(prefix="hopeit-metrics-")
    os.environ[MULTIPROC_ENV] = path  # the workers inherit it
    return path


def worker_exited(pid: int) -> None:
    """For the supervisor: drop the live gauges (requests in flight) of a worker that exited."""
    path = os.environ.get(MULTIPROC_ENV)
    if path:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid, path)  # type: ignore[no-untyped-call]


def remove_dir(path: Optional[str]) -> None:
    """For the supervisor: remove the folder ``multiprocess_dir`` made (None: nothing)."""
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)
        if os.environ.get(MULTIPROC_ENV) == path:
            del os.environ[MULTIPROC_ENV]
