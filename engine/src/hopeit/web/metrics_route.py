"""``GET /metrics``: the server's Prometheus metrics (server config ``api.metrics_path``, extra ``metrics``).

Off by default. With ``"api": {"metrics_path": "/metrics"}`` the server counts, per event, the
requests or messages handled, the errors and a latency histogram; per stream and consumer group,
the messages consumed, failed and dead-lettered, and the pending and lag its stream manager tells;
and the HTTP requests in flight (``hopeit.server.prometheus`` keeps the counts,
``hopeit.server.prometheus_export`` writes the text). Under ``--workers N`` every worker answers
the sum of all of them.

The route asks no credentials, like the probes of ``hopeit.web.health``: serve it where only the
scraper reaches it. It is added after the apps' routes: a route of an app at the same path keeps it.
"""

import asyncio
import time
from typing import Awaitable, Callable, Optional

from aiohttp import web
from hopeit.server import prometheus
from hopeit.server.logger import engine_logger
from hopeit.web.state import WebState

__all__ = ["add_metrics_route", "measure_route", "metrics_handler", "setup_metrics"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_FLUSHES: "web.AppKey[asyncio.Task[None]]" = web.AppKey("hopeit.metrics_flushes")


def setup_metrics(web_app: web.Application, state: WebState) -> Optional[prometheus.EngineMetrics]:
    """Turn this process's metrics on or off from server config ``api.metrics_path``; the metrics when on.

    Call it before the apps add their routes (routes are measured when metrics are on as they are
    added). With several workers, each writes its counts every ``FLUSH_SECONDS`` while it runs.

    :raises ConfigError: metrics are asked for and prometheus-client is not installed.
    """
    if not state.server_config.api.metrics_path:
        prometheus.use_metrics(None)
        return None
    try:
        from hopeit.server.prometheus_export import enable_metrics  # prometheus-client: only when metrics are on
    except ImportError as exc:
        raise prometheus.missing_client(exc) from None
    metrics = enable_metrics()
    exporter = metrics.exporter
    assert exporter is not None

    async def start_flushes(app: web.Application) -> None:
        if metrics.multiprocess is not None:
            app[_FLUSHES] = asyncio.ensure_future(exporter.run_flushes())

    async def stop_metrics(app: web.Application) -> None:
        task = app.get(_FLUSHES)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        exporter.close()  # multiprocess: the final counts written, the files closed
        if prometheus.METRICS is metrics:  # the server stopped: a later one in this process starts afresh
            prometheus.use_metrics(None)

    web_app.on_startup.append(start_flushes)
    web_app.on_cleanup.append(stop_metrics)
    return metrics


def add_metrics_route(web_app: web.Application, state: WebState) -> Optional[str]:
    """Add ``GET <api.metrics_path>`` when metrics are on; the path added, or None.

    Call it after the apps added their routes: a path an app already serves stays the app's.
    """
    path = state.server_config.api.metrics_path
    metrics = prometheus.engine_metrics()
    if not path or metrics is None:
        return None
    if any(resource.canonical == path for resource in web_app.router.resources()):
        (state.logger or engine_logger()).warning(
            "server", f"{path} is a route of an app, so metrics are not served there: "
                      "set server config api.metrics_path to another path")
        return None
    web_app.router.add_get(path, metrics_handler, allow_head=False)
    return path


async def metrics_handler(request: web.Request) -> web.Response:
    """The Prometheus text of this server's metrics (every worker's, summed, under ``--workers``)."""
    metrics = prometheus.engine_metrics()
    if metrics is None or metrics.exporter is None:
        raise web.HTTPNotFound()
    body, content_type = await metrics.exporter.scrape()
    return web.Response(body=body, headers={"Content-Type": content_type, "Cache-Control": "no-store"})


def measure_route(handler: Handler, app: str, event: str, event_type: str) -> Handler:
    """``handler`` itself when metrics are off, else a handler counting its requests, errors and time.

    Applied once, when the route is added, so a server without metrics pays nothing per request.
    """
    metrics = prometheus.engine_metrics()
    if metrics is None:
        return handler
    counts = metrics.event(app, event, event_type)
    clock = time.perf_counter

    async def measured(request: web.Request) -> web.StreamResponse:
        metrics.in_flight += 1
        started = clock()
        try:
            resp = await handler(request)
        except web.HTTPException as exc:  # a redirect, or an answer aiohttp makes of what a step raised
            counts.observe(clock() - started, _outcome(exc.status))
            raise
        finally:
            metrics.in_flight -= 1
        counts.observe(clock() - started, _outcome(resp.status))
        return resp

    return measured


def _outcome(status: int) -> Optional[str]:
    """The error outcome of an HTTP status (``4xx``, ``5xx``), None when it is not an error."""
    if status < 400:
        return None
    return "4xx" if status < 500 else "5xx"
