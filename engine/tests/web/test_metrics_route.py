"""``/metrics`` of a server in this process after real traffic (``hopeit.web.metrics_route``)."""

from pathlib import Path
from typing import Any, Dict

import pytest
from hopeit.server import prometheus
from hopeit.server.prometheus_export import enable_metrics
from hopeit.testing.waiting import wait_until
from metrics_support import APP_CONFIG, BASE, GROUP, STREAM, Samples, event, group, parse, server_config, value
from web_support import MakeClient


async def _scrape(client: Any) -> Samples:
    resp = await client.get("/metrics")
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("text/plain")
    return parse(await resp.text())


async def _send_traffic(client: Any) -> Dict[str, int]:
    for _ in range(3):
        assert (await client.get(f"{BASE}/ok")).status == 200
    for i in range(2):
        assert (await client.post(f"{BASE}/echo", json={"id": f"e{i}"})).status == 200
    assert (await client.get(f"{BASE}/fail")).status == 500
    assert (await client.get(f"{BASE}/fail?kind=bad_request")).status == 400
    assert (await client.get(f"{BASE}/fail?kind=bad_request")).status == 400
    for i in range(4):
        assert (await client.post(f"{BASE}/produce", json={"id": f"p{i}", "fail": i == 3})).status == 200
    return {"ok": 3, "echo": 2, "fail": 3, "produce": 4}


async def test_metrics_count_requests_errors_and_stream_messages(web_client: MakeClient, tmp_path: Path) -> None:
    client = await web_client([server_config(tmp_path), APP_CONFIG], start_streams=True)
    sent = await _send_traffic(client)

    async def consumed() -> Any:
        samples = await _scrape(client)
        return samples if value(samples, "hopeit_stream_consumed_total", **group()) == 4 else None

    samples = await wait_until(consumed, what="the 4 messages consumed")
    for name, event_type in (("ok", "GET"), ("echo", "POST"), ("fail", "GET"), ("produce", "POST")):
        labels = event(name, event_type)
        assert value(samples, "hopeit_event_handled_total", **labels) == sent[name]
        assert value(samples, "hopeit_event_duration_seconds_count", **labels) == sent[name]
        assert value(samples, "hopeit_event_duration_seconds_bucket", **labels, le="+Inf") == sent[name]
        assert value(samples, "hopeit_event_duration_seconds_sum", **labels) > 0  # type: ignore[operator]
    assert value(samples, "hopeit_event_errors_total", **event("fail", "GET"), outcome="5xx") == 1
    assert value(samples, "hopeit_event_errors_total", **event("fail", "GET"), outcome="4xx") == 2
    assert value(samples, "hopeit_event_errors_total", **event("ok", "GET"), outcome="5xx") is None
    consume = event("consume", "STREAM")
    assert value(samples, "hopeit_event_handled_total", **consume) == 4
    assert value(samples, "hopeit_event_errors_total", **consume, outcome="failed") == 1
    assert value(samples, "hopeit_stream_failed_total", **group()) == 1
    assert value(samples, "hopeit_stream_pending_messages", **group()) == 1  # the failed one stays pending
    assert value(samples, "hopeit_stream_lag_messages", **group()) == 0
    assert value(samples, "hopeit_stream_dead_lettered_total", **group()) == 0
    assert value(samples, "hopeit_http_requests_in_flight") == 0
    assert value(samples, "process_resident_memory_bytes")  # one process: its own process_* metrics too
    assert (STREAM, GROUP) in prometheus.METRICS.groups  # type: ignore[union-attr]


async def test_metrics_are_off_by_default_and_routes_are_not_wrapped(web_client: MakeClient, tmp_path: Path) -> None:
    client = await web_client([server_config(tmp_path, metrics_path=None), APP_CONFIG])
    assert prometheus.METRICS is None
    assert (await client.get(f"{BASE}/ok")).status == 200
    assert (await client.get("/metrics")).status == 404


async def test_metrics_path_taken_by_an_app_stays_the_apps(web_client: MakeClient, tmp_path: Path) -> None:
    client = await web_client([server_config(tmp_path, metrics_path=f"{BASE}/ok"), APP_CONFIG])
    resp = await client.get(f"{BASE}/ok")
    assert resp.status == 200 and await resp.json() == {"ok": "ok"}


def test_missing_prometheus_client_refuses_to_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from hopeit.server.config import ConfigError
    from hopeit.web.server import init_web_server

    monkeypatch.setitem(sys.modules, "prometheus_client", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "hopeit.server.prometheus_export", raising=False)
    with pytest.raises(ConfigError, match=r'pip install "hopeit.engine\[metrics\]"'):
        init_web_server([server_config(tmp_path), APP_CONFIG])


async def test_workers_answer_from_the_multiprocess_files(web_client: MakeClient, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker of ``--workers N`` (``PROMETHEUS_MULTIPROC_DIR`` set): its counts go through its files."""
    files = tmp_path / "metrics"
    files.mkdir()
    monkeypatch.setenv(prometheus.MULTIPROC_ENV, str(files))
    client = await web_client([server_config(tmp_path), APP_CONFIG])
    assert prometheus.METRICS is not None and prometheus.METRICS.multiprocess == str(files)
    for _ in range(2):
        assert (await client.get(f"{BASE}/ok")).status == 200
    samples = await _scrape(client)
    assert value(samples, "hopeit_event_handled_total", **event("ok", "GET")) == 2
    assert value(samples, "hopeit_http_requests_in_flight") == 0
    assert any(files.iterdir())


async def test_http_errors_raised_and_redirects_are_counted_by_their_status() -> None:
    from aiohttp import web
    from aiohttp.test_utils import make_mocked_request
    from hopeit.web.metrics_route import measure_route

    async def handler(request: web.Request) -> web.StreamResponse:
        raise (web.HTTPFound("/elsewhere") if request.path == "/moved" else web.HTTPNotFound())

    assert measure_route(handler, "a", "e", "GET") is handler  # metrics off: the handler itself
    metrics = enable_metrics()
    try:
        measured = measure_route(handler, "a", "e", "GET")
        for path, error in (("/moved", web.HTTPFound), ("/missing", web.HTTPNotFound)):
            with pytest.raises(error):
                await measured(make_mocked_request("GET", path))
        assert metrics is not None and metrics.in_flight == 0
        counts = metrics.event("a", "e", "GET")
        assert counts.handled == 2 and counts.errors == {"4xx": 1}
    finally:
        prometheus.use_metrics(None)


async def test_metrics_handler_answers_404_once_metrics_are_off() -> None:
    from aiohttp import web
    from aiohttp.test_utils import make_mocked_request
    from hopeit.web.metrics_route import metrics_handler

    with pytest.raises(web.HTTPNotFound):
        await metrics_handler(make_mocked_request("GET", "/metrics"))
