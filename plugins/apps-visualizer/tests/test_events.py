"""The visualizer's events run in this process against a real server of the example apps."""

import json
from datetime import datetime, timezone
from typing import Iterator

import pytest
from hopeit.app.config import AppConfig
from hopeit.apps_visualizer.apps import cache, memo
from hopeit.apps_visualizer.apps.events_graph import JSON_CONTENT_TYPE, EventsGraphResult
from hopeit.apps_visualizer.event_stats import collect
from hopeit.apps_visualizer.site.assets import ASSETS, VENDORED
from hopeit.config_manager import RuntimeApps, ServerStatus
from hopeit.dataobjects.payload import Payload
from hopeit.log_streamer import LogBatch, LogEntry
from hopeit.testing.apps import execute_event

SE = "simple_example.1x0"


@pytest.fixture(autouse=True)
def fresh_state() -> Iterator[None]:
    """Each test asks the hosts and counts entries on its own."""
    cache.clear()
    memo.clear()
    collect.recent_entries.clear()
    yield
    cache.clear()
    memo.clear()
    collect.recent_entries.clear()


async def test_events_graph_answers_apps_graph_and_options(visualizer_config: AppConfig) -> None:
    result: EventsGraphResult = await execute_event(
        visualizer_config, "apps.events-graph", None, app_prefix="simple", expanded_view="true"
    )
    assert (result.options.app_prefix, result.options.expanded_view, result.options.live) == ("simple", True, False)
    assert set(result.runtime_apps.server_status.values()) == {ServerStatus.ALIVE}
    assert "client_example.1x0" in result.runtime_apps.apps, "the filters list every app"
    ids = set(result.graph.data)
    assert f"{SE}.shuffle.spawn_event$update_status" in ids
    assert not [i for i in ids if i.startswith("client_example")]
    configured: EventsGraphResult = await execute_event(visualizer_config, "apps.events-graph", None)
    call = "edge_client_example.1x0.query_remote.simple_example_conn_unsecured.query_something.GET"
    assert call in configured.graph.data


async def test_live_stats_colour_what_ran(visualizer_config: AppConfig, configured_apps: RuntimeApps) -> None:
    server = configured_apps.apps[SE].servers[0]
    now = datetime.now(tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S,000")

    def entry(msg: str, event: str) -> LogEntry:
        return LogEntry(ts=now, msg=msg, app_name="simple-example", app_version="1.0", event_name=event,
                        event=f"{SE}.{event}", extra={"event.app": SE}, host=server.host_name, pid=server.pid)

    batch = LogBatch(entries=[entry("START", "query_something"), entry("DONE", "query_something"),
                              entry("START", "save_something"), entry("FAILED", "save_something")])
    await execute_event(visualizer_config, "event-stats.collect", batch)
    assert list(collect.recent_entries) == batch.entries
    result: EventsGraphResult = await execute_event(visualizer_config, "event-stats.live", None, live=True)
    data = result.graph.data
    assert data[f"{SE}.query_something.GET"]["classes"] == "RECENT REQUEST STARTED"
    assert data[f"{SE}.query_something"]["classes"] == "EVENT RECENT STARTED"
    assert data[f"{SE}.save_something"]["classes"] == "EVENT FAILED RECENT STARTED"
    assert data[f"{SE}.list_somethings"]["classes"] == "EVENT"
    other_host: EventsGraphResult = await execute_event(
        visualizer_config, "event-stats.live", None, live=True, host_filter="no-such-host"
    )
    assert other_host.graph.data == {}


async def test_page_links_and_endpoint_follow_the_options(visualizer_config: AppConfig) -> None:
    _, page, response = await execute_event(
        visualizer_config, "site.main", None, postprocess=True, app_prefix="simple", live="true"
    )
    assert response.content_type == "text/html"
    assert "{{" not in page
    assert "Apps: simple*" in page and "Servers: All servers" in page
    assert ">Configured Events</a>" in page and ">Live!</a>" in page
    assert 'href="apps-visualizer?app_prefix=simple&amp;host_filter=&amp;expanded_view=true&amp;live=true"' in page
    assert 'href="apps-visualizer?app_prefix=simple&amp;host_filter=&amp;expanded_view=false&amp;live=false"' in page
    assert ('data-refresh-endpoint="/api/apps-visualizer/1x0/event-stats/live?app_prefix=simple&amp;host_filter='
            '&amp;expanded_view=false&amp;live=true"') in page
    assert 'src="apps-visualizer/assets?file=cytoscape.min.js"' in page
    assert "https://" not in page and "http://" not in page, "the page loads nothing from elsewhere"


async def test_page_shows_query_text_as_text(visualizer_config: AppConfig) -> None:
    _, page, _ = await execute_event(
        visualizer_config, "site.main", None, postprocess=True, app_prefix='"><script>alert(1)</script>',
        expanded_view="True",
    )
    assert "<script>alert" not in page
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;*" in page
    assert ">Effective Events</a>" in page and ">Static</a>" in page
    assert 'data-refresh-endpoint="/api/apps-visualizer/1x0/apps/events-graph?' in page


@pytest.mark.parametrize("name", sorted(ASSETS))
async def test_every_asset_is_served_from_the_package(visualizer_config: AppConfig, name: str) -> None:
    result, body, response = await execute_event(visualizer_config, "site.assets", None, postprocess=True, file=name)
    path, content_type = ASSETS[name]
    assert (result, body, response.status, response.content_type) == (name, name, None, content_type)
    assert response.file_response == str(path) and path.stat().st_size > 1000


async def test_unknown_asset_is_404(visualizer_config: AppConfig) -> None:
    for name in ("../plugin-config.json", "vendor/klay.js", "nothing.js"):
        result, body, response = await execute_event(visualizer_config, "site.assets", None, postprocess=True,
                                                     file=name)
        assert (result, body, response.status, response.file_response) == (None, "No such asset", 404, None)


def test_each_vendored_library_ships_its_licence() -> None:
    for library in VENDORED:
        assert [name for name in ASSETS if name.startswith(f"{library}.LICENSE")], library


@pytest.mark.parametrize("event_name", ["apps.events-graph", "event-stats.live"])
async def test_json_answer_is_the_result_as_the_engine_writes_it(visualizer_config: AppConfig, event_name: str) -> None:
    for _ in range(2):  # built, then written from the text kept
        result, text, response = await execute_event(visualizer_config, event_name, None, postprocess=True,
                                                     live=event_name.endswith("live"))
        assert response.content_type == JSON_CONTENT_TYPE
        assert json.loads(text) == json.loads(Payload.to_json(result))
