"""The example as scripts/run-example serves it: simple-example with the ops plugins, in one process, no Redis.

The same config files (``server-ops.json`` enabling config-manager and apps-visualizer by name,
``log-streamer.json`` following the server's own ``logs/``), the same environment
(``HOPEIT_APPS_VISUALIZER_HOSTS=in-process``) and flags (``--start-streams --api-auto``): a request
sent to the example shows up, live, on the events it ran.
"""

from pathlib import Path
from typing import Any, Dict, Iterator, Set

import aiohttp
import pytest
from hopeit.testing.waiting import wait_until
from servers import SIMPLE_EXAMPLE_CONFIG
from simple_example.testing import RunningServer

SE = "simple_example.1x0"
RUN_EXAMPLE_CONFIGS = ("server-ops.json", "log-streamer.json", "app-config.json")


@pytest.fixture
def example_server(tmp_path: Path) -> Iterator[RunningServer]:
    server = RunningServer([SIMPLE_EXAMPLE_CONFIG / name for name in RUN_EXAMPLE_CONFIGS], workdir=tmp_path,
                           env={"HOPEIT_APPS_VISUALIZER_HOSTS": "in-process"})
    server.start()
    try:
        yield server
    finally:
        code = server.stop()
    assert code == 0, server.output()


def _started(graph: Dict[str, Dict[str, Any]]) -> Set[str]:
    return {key for key, item in graph.items() if "STARTED" in item.get("classes", "").split()}


async def test_run_example_draws_what_ran_live(example_server: RunningServer) -> None:
    base = example_server.base_url
    headers = {"X-Track-Session-Id": "run-example"}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.get(f"{base}/ops/apps-visualizer?live=true") as resp:
            assert resp.status == 200 and "hopeit.engine Apps Visualizer" in await resp.text()
        async with session.post(f"{base}/api/simple-example/1x0/streams/something-event",
                                json={"id": "live-1", "user": {"id": "u", "name": "Ada"}}) as resp:
            assert resp.status == 200, await resp.text()

        async def live() -> Set[str]:
            async with session.get(f"{base}/api/apps-visualizer/1x0/event-stats/live",
                                   params={"live": "true", "app_prefix": "simple"}) as resp:
                assert resp.status == 200, await resp.text()
                return _started((await resp.json())["graph"]["data"])

        ran = {f"{SE}.streams.something_event.POST", f"{SE}.streams.something_event",
               f">{SE}.streams.something_event", f"{SE}.streams.process_events"}

        async def all_ran() -> bool:
            return ran <= await live()

        await wait_until(all_ran, timeout=60, interval=0.5, what="the request's events live on the page")
    output = example_server.output()
    assert "apps-visualizer 1.0" in output and "GET     /ops/apps-visualizer" in output
    assert "warning" not in output  # streams started, docs served
