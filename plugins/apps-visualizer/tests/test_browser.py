"""The page in a real browser: a real server (simple-example, config-manager, log-streamer and the
visualizer on a real Redis, streams started), requests sent to simple-example, then the page loaded
in headless Chromium with every request to another host aborted.

What the page draws is read from its own cytoscape instance (``window.appsVisualizer.cy``).
"""

import os
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set
from urllib.parse import urlsplit

import aiohttp
import pytest
from browser import INSTALL_HINT, chromium_path
from hopeit.testing.redis import RedisServer
from hopeit.testing.waiting import wait_until
from servers import cluster_server
from simple_example.testing import APP_ROUTE, RunningServer

SE = "simple_example.1x0"
SESSION = {"X-Track-Session-Id": "visualizer-e2e"}
SOMETHING = f"{SE}.streams.something_event"
PROCESSED = f"{SE}.streams.process_events"
#: What the requests sent make run, as drawn: the events that ran (named by the event logger of
#: their START/DONE lines), the request nodes in front of them, the streams written and read, and
#: the edges from the streams to the events that consumed them.
LIVE_ITEMS = (
    f"{SE}.query_something",
    f"{SE}.query_something.GET",
    SOMETHING,
    PROCESSED,
    f">{SOMETHING}",
    f">{PROCESSED}",
    f"edge_{PROCESSED}.{SOMETHING}.AUTO",
    f"edge_{SE}.storage.save_events_fs.{PROCESSED}.AUTO",
)
GRAPH_JS = """() => {
  const cy = window.appsVisualizer.cy;
  return {
    nodes: cy.nodes().map(n => [n.id(), n.classes().join(" ")]),
    edges: cy.edges().map(e => [e.source().id(), e.target().id()]),
    layouts: window.appsVisualizer.layouts,
    refreshes: window.appsVisualizer.refreshes,
    errors: window.appsVisualizer.errors,
    positions: cy.nodes().map(n => [n.id(), Math.round(n.position().x), Math.round(n.position().y)])
  };
}"""


@pytest.fixture(scope="module")
def visualizer(tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer) -> Iterator[RunningServer]:
    server = cluster_server(tmp_path_factory.mktemp("visualizer"), client_example=False, log_streamer=True,
                            visualizer=True, redis_url=redis_server.url, start_streams=True)
    server.start()
    try:
        yield server
    finally:
        code = server.stop()
    assert code == 0, server.output()


def artifact_path(name: str, tmp_path: Path) -> Path:
    """Where the screenshot goes: the tox env's tmp folder when run by tox, else the test's tmp folder."""
    env_tmp = os.getenv("TOX_ENV_DIR")
    folder = Path(env_tmp) / "tmp" if env_tmp else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


async def send_requests(server: RunningServer) -> None:
    """Requests that run events of simple-example: a query, a SHUFFLE event and a stream round trip."""
    base = f"{server.base_url}{APP_ROUTE}"
    item = {"id": "viz-1", "user": {"id": "u", "name": "Ana"}}
    async with aiohttp.ClientSession(headers=SESSION) as session:
        async with session.post(f"{base}/shuffle/spawn-event", json=item) as resp:
            assert resp.status == 200, await resp.text()
        async with session.get(f"{base}/query-something", params={"item_id": "viz-1"}) as resp:
            assert resp.status in (200, 404), await resp.text()
        async with session.post(f"{base}/streams/something-event",
                                json={"id": "viz-2", "user": {"id": "u", "name": "Ana"}}) as resp:
            assert resp.status == 200, await resp.text()


async def live_graph(server: RunningServer, **params: str) -> Dict[str, Dict[str, Any]]:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{server.base_url}/api/apps-visualizer/1x0/event-stats/live", params=params) as resp:
            assert resp.status == 200, await resp.text()
            data: Dict[str, Dict[str, Any]] = (await resp.json())["graph"]["data"]
            return data


def classes_of(graph: Dict[str, Dict[str, Any]], item: str) -> Set[str]:
    return set(graph.get(item, {}).get("classes", "").split())


async def test_page_draws_the_cluster_live_and_offline(visualizer: RunningServer, tmp_path: Path) -> None:
    executable = chromium_path()
    if executable is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    from playwright.async_api import Route, async_playwright

    await send_requests(visualizer)

    async def activity_seen() -> bool:
        graph = await live_graph(visualizer, live="true")
        return all("STARTED" in classes_of(graph, item) for item in LIVE_ITEMS)

    # log-streamer follows the log files and publishes on Redis; event-stats.collect reads them
    await wait_until(activity_seen, timeout=60, interval=0.5, what="live stats of the requests sent")
    expected = await live_graph(visualizer, live="true")

    server_host = urlsplit(visualizer.base_url).netloc
    requested: List[str] = []
    aborted: List[str] = []

    async def only_this_server(route: Route) -> None:
        url = route.request.url
        requested.append(url)
        if urlsplit(url).netloc != server_host:
            aborted.append(url)
            await route.abort()
        else:
            await route.continue_()

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, headless=True,
                                                   args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            page = await browser.new_page(viewport={"width": 1600, "height": 900})
            await page.route("**/*", only_this_server)
            await page.goto(f"{visualizer.base_url}/ops/apps-visualizer?live=true")
            drawn = await drawn_graph(page, 1)

            # what the page draws is what the live endpoint answers
            expected_nodes = {key for key, item in expected.items() if "source" not in item["data"]}
            expected_edges = {(item["data"]["source"], item["data"]["target"])
                              for item in expected.values() if "source" in item["data"]}
            assert {node for node, _ in drawn["nodes"]} == expected_nodes
            assert {tuple(edge) for edge in drawn["edges"]} == expected_edges
            classes = dict(drawn["nodes"])
            for stream in (f">{SOMETHING}", f">{PROCESSED}"):
                assert {"STREAM", "STARTED"} <= set(classes[stream].split()), (stream, classes[stream])
            for event in (f"{SE}.query_something", SOMETHING, PROCESSED):
                assert {"EVENT", "STARTED"} <= set(classes[event].split()), (event, classes[event])
            assert {"REQUEST", "STARTED"} <= set(classes[f"{SE}.query_something.GET"].split())
            edge_classes = await page.evaluate(
                "(id) => window.appsVisualizer.cy.getElementById(id).classes()", f"edge_{PROCESSED}.{SOMETHING}.AUTO"
            )
            assert "STARTED" in edge_classes
            assert classes[f"{SE}.download_something"] == "EVENT", "what did not run is not coloured"
            assert (f">{SOMETHING}", PROCESSED) in expected_edges
            assert (f"{SE}.query_something.GET", f"{SE}.query_something") in expected_edges

            # the next refresh changes nothing drawn: no new layout, nodes stay where they are
            before = drawn
            await page.evaluate("() => window.appsVisualizer.refresh()")
            after = await page.evaluate(GRAPH_JS)
            assert after["refreshes"] > before["refreshes"] and after["layouts"] == before["layouts"] == 1
            assert after["positions"] == before["positions"]
            screenshot = artifact_path("apps-visualizer-live.png", tmp_path)
            await page.screenshot(path=str(screenshot), full_page=True)
            print(f"apps-visualizer screenshot: {screenshot}")

            # filters are links: the Apps menu lists the apps, choosing one draws only that app
            await page.click("#apps-button")
            async with page.expect_navigation():
                await page.click("#apps-menu >> text=simple-example")
            assert "app_prefix=simple-example&" in page.url
            filtered = await drawn_graph(page, 1)
            assert filtered["nodes"] and all(node.startswith(SE) or node.startswith(f">{SE}")
                                             for node, _ in filtered["nodes"])
            assert len(filtered["nodes"]) < len(drawn["nodes"])

            # the view badge switches to the effective events: SHUFFLE stages appear
            async with page.expect_navigation():
                await page.click("#view-badge a")
            assert "expanded_view=true" in page.url
            expanded = await drawn_graph(page, 1)
            assert f"{SE}.shuffle.spawn_event$update_status" in dict(expanded["nodes"])

            # a host filter that matches no server draws nothing
            await page.goto(f"{visualizer.base_url}/ops/apps-visualizer?host_filter=no-such-host")
            empty = await drawn_graph(page, 1)
            assert empty["nodes"] == [] and empty["errors"] == 0
        finally:
            await browser.close()

    assert requested, "the browser's requests were seen"
    outside = [url for url in requested if urlsplit(url).netloc != server_host]
    assert outside == aborted == [], f"the page asked other hosts: {outside}"


async def drawn_graph(page: Any, refreshes: int) -> Dict[str, Any]:
    """The page's graph once it has refreshed ``refreshes`` times (scripts loaded, data drawn)."""
    await page.wait_for_function(f"() => window.appsVisualizer && window.appsVisualizer.refreshes >= {refreshes}",
                                 timeout=30000)
    graph: Dict[str, Any] = await page.evaluate(GRAPH_JS)
    assert graph["errors"] == 0
    return graph




async def test_json_endpoints_are_documented_in_openapi(visualizer: RunningServer) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{visualizer.base_url}/api/docs/swagger.json") as resp:
            assert resp.status == 200
            spec = await resp.json()
    for endpoint in ("apps/events-graph", "event-stats/live"):
        operation = spec["paths"][f"/api/apps-visualizer/1x0/{endpoint}"]["get"]
        assert {"app_prefix", "host_filter", "expanded_view", "live"} <= {p["name"] for p in operation["parameters"]}
        answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert answer == {"$ref": "#/components/schemas/EventsGraphResult"}
    result = spec["components"]["schemas"]["EventsGraphResult"]
    assert set(result["properties"]) == {"runtime_apps", "graph", "options"}
    assert "/ops/apps-visualizer" in spec["paths"] and "/ops/apps-visualizer/assets" in spec["paths"]
