"""The Prometheus text of the counts ``hopeit.server.prometheus`` keeps, through prometheus-client.

Imported only when metrics are on (``enable_metrics``). One process: the scrape reads the counts
directly (a prometheus-client collector). ``--workers N`` (``PROMETHEUS_MULTIPROC_DIR`` set): each
worker writes its counts, as totals, to its own memory-mapped files of prometheus-client's
multiprocess mode (``flush``, every ``FLUSH_SECONDS`` and before it answers a scrape), and the
scrape sums the files of every worker, those that exited included (``MultiProcessCollector``).
Pending and lag are read from the stream manager when scraped, by the worker scraped: they are the
group's, not a worker's, so they are never summed.
"""

import asyncio
import logging
import os
from typing import Any, Callable, Dict, Iterable, List, Tuple

from hopeit.server.prometheus import (
    BUCKETS,
    FLUSH_SECONDS,
    MULTIPROC_ENV,
    EngineMetrics,
    EventMetrics,
    GroupMetrics,
    use_metrics,
)
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client import values as prometheus_values
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.process_collector import ProcessCollector

__all__ = ["GROUP_STATS_TIMEOUT", "Exporter", "enable_metrics"]

logger = logging.getLogger("hopeit.metrics")

#: Seconds a stream manager gets to answer ``group_stats`` during a scrape.
GROUP_STATS_TIMEOUT = 0.5

EVENT_LABELS = ("app", "event", "event_type")
GROUP_LABELS = ("stream", "consumer_group")
_LE = [repr(bound) for bound in BUCKETS] + ["+Inf"]  # as prometheus-client writes them: 0.001, 1.0

#: name, help of each metric (a counter's name without ``_total``, which the text adds)
HANDLED = ("hopeit_event_handled", "Requests (GET, POST, MULTIPART) or stream messages (STREAM) handled")
ERRORS = ("hopeit_event_errors", "Of those handled, the ones that failed: 4xx, 5xx (HTTP) or failed (STREAM)")
DURATION = ("hopeit_event_duration_seconds", "Time to handle a request or a stream message, in seconds")
IN_FLIGHT = ("hopeit_http_requests_in_flight", "HTTP requests of events being handled now")
CONSUMED = ("hopeit_stream_consumed", "Messages a read loop read and ran, by stream and consumer group")
FAILED = ("hopeit_stream_failed", "Of those consumed, the ones not acknowledged (left pending)")
RETRIED = ("hopeit_stream_retried", "Runs of the steps of a message again after a failure (stream.max_retries)")
DEAD = ("hopeit_stream_dead_lettered", "Messages moved to the dead-letter stream, by stream and consumer group")
PENDING = ("hopeit_stream_pending_messages", "Messages delivered to the consumer group and not acknowledged yet")
LAG = ("hopeit_stream_lag_messages", "Messages of the stream not delivered to the consumer group yet")


def _event_labels(event: EventMetrics) -> List[str]:
    return [event.app, event.event, event.event_type]


def _cumulative(event: EventMetrics) -> List[Tuple[str, float]]:
    total, buckets = 0, []
    for le, count in zip(_LE, event.buckets):
        total += count
        buckets.append((le, float(total)))
    return buckets


class _Collector:
    """A prometheus-client collector calling ``collect`` (``Exporter`` passes its own)."""

    def __init__(self, collect: Callable[[], Iterable[Metric]]) -> None:
        self.collect = collect


class Exporter:
    """The ``/metrics`` text of an ``EngineMetrics``: straight from its counts, or through multiprocess files."""

    def __init__(self, metrics: EngineMetrics) -> None:
        self.metrics = metrics
        self.registry = CollectorRegistry(auto_describe=False)
        if metrics.multiprocess is None:
            self.registry.register(_Collector(self.local_families))  # type: ignore[arg-type]
            ProcessCollector(registry=self.registry)  # process_* (cpu, memory, fds): right for one process
        else:
            MultiProcessCollector(self.registry, path=metrics.multiprocess)  # type: ignore[no-untyped-call]
            self.registry.register(_Collector(self.group_gauges))  # type: ignore[arg-type]
            self._value_class: Any = prometheus_values.MultiProcessValue()  # type: ignore[no-untyped-call]
            self._values: Dict[Tuple[str, Tuple[str, ...]], Any] = {}
        self._closed = False

    async def scrape(self) -> Tuple[bytes, str]:
        """The metrics text and its content type, with the stream groups asked now."""
        await self.refresh_groups()
        if self.metrics.multiprocess is not None:
            self.flush()
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    async def refresh_groups(self) -> None:
        """Ask every group's stream manager its pending, lag and dead-lettered at once (``GROUP_STATS_TIMEOUT``)."""
        groups = [group for group in self.metrics.groups.values() if group.manager is not None]
        if groups:
            await asyncio.gather(*(self._refresh(group) for group in groups))

    @staticmethod
    async def _refresh(group: GroupMetrics) -> None:
        assert group.manager is not None
        try:
            group.stats = await asyncio.wait_for(
                group.manager.group_stats(stream_name=group.stream, consumer_group=group.group), GROUP_STATS_TIMEOUT
            )
        except Exception as exc:  # noqa: BLE001 - a backend that cannot answer now: the last answer stays
            logger.debug("group_stats of %s %s failed: %s: %s", group.stream, group.group, type(exc).__name__, exc)

    def local_families(self) -> Iterable[Metric]:
        """Every metric of this process, from its counts (one process: no multiprocess files)."""
        metrics = self.metrics
        handled = CounterMetricFamily(*HANDLED, labels=EVENT_LABELS)
        errors = CounterMetricFamily(*ERRORS, labels=(*EVENT_LABELS, "outcome"))
        duration = HistogramMetricFamily(*DURATION, labels=EVENT_LABELS)
        for event in list(metrics.events.values()):
            labels = _event_labels(event)
            handled.add_metric(labels, event.handled)
            for outcome, count in sorted(event.errors.items()):
                errors.add_metric([*labels, outcome], count)
            duration.add_metric(labels, _cumulative(event), event.seconds)
        in_flight = GaugeMetricFamily(*IN_FLIGHT)
        in_flight.add_metric([], metrics.in_flight)
        consumed = CounterMetricFamily(*CONSUMED, labels=GROUP_LABELS)
        failed = CounterMetricFamily(*FAILED, labels=GROUP_LABELS)
        retried = CounterMetricFamily(*RETRIED, labels=GROUP_LABELS)
        dead = CounterMetricFamily(*DEAD, labels=GROUP_LABELS)
        for group in list(metrics.groups.values()):
            labels = [group.stream, group.group]
            consumed.add_metric(labels, group.consumed)
            failed.add_metric(labels, group.failed)
            retried.add_metric(labels, group.retried)
            if group.stats is not None:
                dead.add_metric(labels, group.stats.dead_lettered)
        return [handled, errors, duration, in_flight, consumed, failed, retried, dead, *self.group_gauges()]

    def group_gauges(self) -> List[Metric]:
        """Pending and lag of every group whose stream manager tells them."""
        pending = GaugeMetricFamily(*PENDING, labels=GROUP_LABELS)
        lag = GaugeMetricFamily(*LAG, labels=GROUP_LABELS)
        for group in list(self.metrics.groups.values()):
            if group.stats is not None:
                pending.add_metric([group.stream, group.group], group.stats.pending)
                if group.stats.lag is not None:
                    lag.add_metric([group.stream, group.group], group.stats.lag)
        return [pending, lag]

    def _set(self, typ: str, metric: Tuple[str, str], sample: str, labels: Tuple[str, ...],
             label_values: Tuple[str, ...], value: float, mode: str = "") -> None:
        """Write one sample's total to this process's multiprocess file (kept open for the next writes)."""
        key = (sample, label_values)
        found = self._values.get(key)
        if found is None:
            found = self._values[key] = self._value_class(
                typ, metric[0], sample, labels, label_values, metric[1], multiprocess_mode=mode
            )
        found.set(value)

    def flush(self) -> None:
        """Write this process's counts to its multiprocess files, as totals (a worker's, summed at the scrape)."""
        if self._closed:
            return
        metrics = self.metrics
        for event in list(metrics.events.values()):
            labels = tuple(_event_labels(event))
            self._set("counter", HANDLED, f"{HANDLED[0]}_total", EVENT_LABELS, labels, event.handled)
            for outcome, count in list(event.errors.items()):
                self._set("counter", ERRORS, f"{ERRORS[0]}_total", (*EVENT_LABELS, "outcome"), (*labels, outcome),
                          count)
            for le, count in zip(_LE, event.buckets):  # per bucket: the scrape adds them up
                self._set("histogram", DURATION, f"{DURATION[0]}_bucket", (*EVENT_LABELS, "le"), (*labels, le), count)
            self._set("histogram", DURATION, f"{DURATION[0]}_sum", EVENT_LABELS, labels, event.seconds)
        for group in list(metrics.groups.values()):
            labels = (group.stream, group.group)
            self._set("counter", CONSUMED, f"{CONSUMED[0]}_total", GROUP_LABELS, labels, group.consumed)
            self._set("counter", FAILED, f"{FAILED[0]}_total", GROUP_LABELS, labels, group.failed)
            self._set("counter", RETRIED, f"{RETRIED[0]}_total", GROUP_LABELS, labels, group.retried)
            if group.stats is not None:
                self._set("counter", DEAD, f"{DEAD[0]}_total", GROUP_LABELS, labels, group.stats.dead_lettered)
        self._set("gauge", IN_FLIGHT, IN_FLIGHT[0], (), (), metrics.in_flight, mode="livesum")

    async def run_flushes(self, interval: float = FLUSH_SECONDS) -> None:
        """Multiprocess: ask the groups and flush every ``interval`` seconds, until cancelled (then flush once more)."""
        try:
            while True:
                await self.refresh_groups()
                self.flush()
                await asyncio.sleep(interval)
        finally:
            self.flush()

    def close(self) -> None:
        """Multiprocess: write the counts a last time and close this process's files; nothing is written after."""
        if self.metrics.multiprocess is None or self._closed:
            return
        self.flush()
        self._closed = True
        for value in self._values.values():
            file = getattr(value, "_file", None)  # prometheus-client's value of a file: no public way to close it
            if file is not None:
                file.close()  # closing a file twice does nothing (values of a file share it)


def enable_metrics() -> EngineMetrics:
    """Turn this process's metrics on, with fresh counts; multiprocess when ``PROMETHEUS_MULTIPROC_DIR`` names a folder.

    The folder is set by the supervisor of ``--workers N``, or by whoever runs the server.
    """
    metrics = EngineMetrics(os.environ.get(MULTIPROC_ENV) or None)
    metrics.exporter = Exporter(metrics)
    use_metrics(metrics)
    return metrics
