"""The counts of ``hopeit.server.prometheus`` and their text (``prometheus_export``), in this process.

One process reads the counts directly; with ``PROMETHEUS_MULTIPROC_DIR`` set they go through
prometheus-client's multiprocess files, as each worker of ``--workers N`` writes them.
"""

import asyncio
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator, List, Optional

import pytest
from hopeit.server import prometheus
from hopeit.server.prometheus import BUCKETS, EngineMetrics
from hopeit.server.prometheus_export import enable_metrics
from hopeit.streams import StreamEvent, StreamGroupStats, StreamManager
from hopeit.streams.memory import MemoryStreamManager
from hopeit.testing.waiting import wait_until
from metrics_support import Samples, parse, value


@pytest.fixture(autouse=True)
def metrics_off() -> Iterator[None]:
    yield
    if prometheus.METRICS is not None and prometheus.METRICS.exporter is not None:
        prometheus.METRICS.exporter.close()  # multiprocess: the files closed
    prometheus.use_metrics(None)


class Groups(MemoryStreamManager):
    """A stream manager whose ``group_stats`` answers as told, raises, or never answers."""

    def __init__(self, stats: Optional[StreamGroupStats] = None, error: Optional[Exception] = None,
                 hang: bool = False) -> None:
        super().__init__(address="test")
        self.answer, self.error, self.hang = stats, error, hang

    async def group_stats(self, *, stream_name: str, consumer_group: str) -> Optional[StreamGroupStats]:
        if self.hang:
            await asyncio.sleep(60)
        if self.error is not None:
            raise self.error
        return self.answer


def _context(seconds_ago: float) -> Any:
    import time

    return SimpleNamespace(_created=time.time() - seconds_ago)


def _message(msg_id: str) -> StreamEvent:
    return StreamEvent(msg_internal_id=msg_id.encode(), queue="AUTO", payload=None, track_ids={})


async def _text(metrics: Optional[EngineMetrics]) -> Samples:
    assert metrics is not None and metrics.exporter is not None
    body, content_type = await metrics.exporter.scrape()
    assert content_type.startswith("text/plain")
    return parse(body.decode())


def _counted(metrics: EngineMetrics) -> None:
    """Two GET requests (one 5xx), and a batch of three messages of which one failed and one did not decode."""
    get = metrics.event("app.1x0", "get", "GET")
    get.observe(0.0004)
    get.observe(0.3, "5xx")
    loop = metrics.stream_loop("app.1x0", "consume", Groups(StreamGroupStats(pending=1, lag=4, dead_lettered=2)),
                               ["items", "items.q1"], "group")
    runs = [("items", _message("1-0"), _context(0.002), True, None),
            ("items", _message("2-0"), _context(0.002), False, RuntimeError()),
            ("items.q1", ValueError("cannot decode"), None, False, None),
            ("unknown", _message("3-0"), _context(0.0), True, None)]
    loop.count_batch(runs, [True, False, False, True])
    metrics.in_flight = 1


def test_latency_buckets_use_prometheus_le() -> None:
    counts = prometheus.EventMetrics("a", "e", "GET")
    for seconds in (BUCKETS[0], BUCKETS[0] * 1.01, BUCKETS[-1] * 2):
        counts.observe(seconds)
    assert counts.buckets[0] == 1 and counts.buckets[1] == 1 and counts.buckets[-1] == 1
    assert counts.handled == 3 and counts.errors == {}


async def test_one_process_exposes_its_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(prometheus.MULTIPROC_ENV, raising=False)
    metrics = enable_metrics()
    assert metrics is not None and metrics.multiprocess is None and prometheus.engine_metrics() is metrics
    _counted(metrics)
    samples = await _text(metrics)
    get = {"app": "app.1x0", "event": "get", "event_type": "GET"}
    assert value(samples, "hopeit_event_handled_total", **get) == 2
    assert value(samples, "hopeit_event_errors_total", **get, outcome="5xx") == 1
    assert value(samples, "hopeit_event_duration_seconds_bucket", **get, le="0.001") == 1
    assert value(samples, "hopeit_event_duration_seconds_bucket", **get, le="0.5") == 2
    assert value(samples, "hopeit_event_duration_seconds_sum", **get) == pytest.approx(0.3004)
    consume = {"app": "app.1x0", "event": "consume", "event_type": "STREAM"}
    assert value(samples, "hopeit_event_handled_total", **consume) == 3  # the undecodable one never ran
    assert value(samples, "hopeit_event_errors_total", **consume, outcome="failed") == 1
    items, q1 = {"stream": "items", "consumer_group": "group"}, {"stream": "items.q1", "consumer_group": "group"}
    assert value(samples, "hopeit_stream_consumed_total", **items) == 2
    assert value(samples, "hopeit_stream_failed_total", **items) == 1
    assert value(samples, "hopeit_stream_consumed_total", **q1) == 1
    assert value(samples, "hopeit_stream_failed_total", **q1) == 1
    assert value(samples, "hopeit_stream_pending_messages", **items) == 1
    assert value(samples, "hopeit_stream_lag_messages", **items) == 4
    assert value(samples, "hopeit_stream_dead_lettered_total", **items) == 2
    assert value(samples, "hopeit_http_requests_in_flight") == 1


async def test_a_loop_on_the_same_group_shares_its_counts_and_takes_a_manager() -> None:
    metrics = EngineMetrics()
    first = metrics.stream_loop("a", "e1", None, ["s"], "g")
    second = metrics.stream_loop("a", "e2", Groups(), ["s"], "g")
    assert first.groups["s"] is second.groups["s"] and second.groups["s"].manager is not None


async def test_group_stats_failing_or_slow_keep_the_last_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(prometheus.MULTIPROC_ENV, raising=False)
    monkeypatch.setattr("hopeit.server.prometheus_export.GROUP_STATS_TIMEOUT", 0.05)
    metrics = enable_metrics()
    assert metrics is not None
    metrics.stream_loop("a", "e", Groups(error=ConnectionError("gone")), ["broken"], "g")
    metrics.stream_loop("a", "e", Groups(hang=True), ["slow"], "g")
    legacy = StreamManager(address="0.24")  # type: ignore[abstract]  # the contract's default group_stats
    metrics.stream_loop("a", "e", legacy, ["unknown"], "g")
    samples = await _text(metrics)
    for stream in ("broken", "slow", "unknown"):
        assert value(samples, "hopeit_stream_pending_messages", stream=stream, consumer_group="g") is None
        assert value(samples, "hopeit_stream_consumed_total", stream=stream, consumer_group="g") == 0


async def test_workers_write_their_counts_to_multiprocess_files(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(prometheus.MULTIPROC_ENV, str(tmp_path))
    metrics = enable_metrics()
    assert metrics is not None and metrics.multiprocess == str(tmp_path) and metrics.exporter is not None
    _counted(metrics)
    samples = await _text(metrics)  # a scrape writes this process's counts first
    get = {"app": "app.1x0", "event": "get", "event_type": "GET"}
    assert value(samples, "hopeit_event_handled_total", **get) == 2
    assert value(samples, "hopeit_event_errors_total", **get, outcome="5xx") == 1
    assert value(samples, "hopeit_event_duration_seconds_count", **get) == 2
    assert value(samples, "hopeit_event_duration_seconds_bucket", **get, le="0.001") == 1
    assert value(samples, "hopeit_stream_dead_lettered_total", stream="items", consumer_group="group") == 2
    assert value(samples, "hopeit_stream_pending_messages", stream="items", consumer_group="group") == 1
    assert value(samples, "hopeit_http_requests_in_flight") == 1
    files = sorted(path.name for path in tmp_path.iterdir())
    assert f"counter_{os.getpid()}.db" in files and f"gauge_livesum_{os.getpid()}.db" in files
    metrics.in_flight = 0
    metrics.event("app.1x0", "get", "GET").observe(0.001)  # totals are written again, not added twice
    samples = await _text(metrics)
    assert value(samples, "hopeit_event_handled_total", **get) == 3
    prometheus.worker_exited(os.getpid())  # as the supervisor does when a worker exits
    samples = await _text(metrics)
    assert value(samples, "hopeit_event_handled_total", **get) == 3  # counts of exited workers stay
    metrics.exporter.close()  # as a worker stopping: the last counts written, the files closed
    metrics.exporter.close()
    metrics.event("app.1x0", "get", "GET").observe(0.001)
    metrics.exporter.flush()  # nothing is written once closed


async def test_flushes_run_until_cancelled_then_write_once_more(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(prometheus.MULTIPROC_ENV, str(tmp_path))
    metrics = enable_metrics()
    assert metrics is not None and metrics.exporter is not None
    task = asyncio.ensure_future(metrics.exporter.run_flushes(interval=0.01))
    await wait_until(lambda: (tmp_path / f"gauge_livesum_{os.getpid()}.db").exists(), what="a first flush")
    metrics.event("a", "e", "GET").observe(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(tmp_path))  # type: ignore[no-untyped-call]
    samples = parse(generate_latest(registry).decode())  # as another worker reads the files
    assert value(samples, "hopeit_event_handled_total", app="a", event="e", event_type="GET") == 1


def test_supervisor_makes_and_removes_the_folder_of_the_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(prometheus.MULTIPROC_ENV, raising=False)
    assert prometheus.multiprocess_dir(False) is None
    made = prometheus.multiprocess_dir(True)
    assert made is not None and os.path.isdir(made) and os.environ[prometheus.MULTIPROC_ENV] == made
    assert prometheus.multiprocess_dir(True) is None  # set already: whoever set it keeps it
    prometheus.remove_dir(made)
    assert not os.path.exists(made) and prometheus.MULTIPROC_ENV not in os.environ
    prometheus.remove_dir(None)
    prometheus.worker_exited(1)  # no folder: nothing to do


def test_runs_as_the_batch_keeps_them_are_counted_without_a_group() -> None:
    metrics = EngineMetrics()
    loop = metrics.stream_loop("a", "e", None, [], "g")
    runs: List[Any] = [("other", _message("1-0"), _context(0.0), True, None)]
    loop.count_batch(runs, [True])
    assert metrics.event("a", "e", "STREAM").handled == 1 and metrics.groups == {}
