"""STREAM and SERVICE events behind the server: --start-streams, management routes, track ids in streams."""

import json
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest
from hopeit.server.engine import AppEngine
from hopeit.testing.waiting import wait_until
from web_support import APP, BASE, PLUGIN, MakeClient

MGMT = "/mgmt/web-test/1x0"


async def _status(client: Any) -> Dict[str, Any]:
    resp = await client.get(f"{BASE}/status")
    assert resp.status == 200
    result: Dict[str, Any] = await resp.json()
    return result


async def _wait_for(client: Any, predicate: Callable[[Dict[str, Any]], bool], timeout: float = 5.0) -> Dict[str, Any]:
    """The app's status, once ``predicate`` holds for it (fails after ``timeout`` seconds, showing the last one)."""
    seen: List[Dict[str, Any]] = []

    async def status_if_ready() -> Optional[Dict[str, Any]]:
        seen.append(await _status(client))
        return seen[-1] if predicate(seen[-1]) else None

    try:
        result: Dict[str, Any] = await wait_until(status_if_ready, timeout=timeout, interval=0.02)
    except AssertionError:
        raise AssertionError(f"app status still {seen[-1]} after {timeout} s") from None
    return result


class Loops:
    """Names of the events whose read or service loop started, and ended, in this test's server.

    Records through AppEngine's public loop methods, which the management routes call.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started: List[str] = []
        self.ended: List[str] = []
        for method in ("read_stream", "service_loop"):
            monkeypatch.setattr(AppEngine, method, self._recording(getattr(AppEngine, method)))

    def _recording(self, loop_method: Any) -> Any:
        async def recording(engine: AppEngine, *, event_name: str, **kwargs: Any) -> Any:
            self.started.append(event_name)
            try:
                return await loop_method(engine, event_name=event_name, **kwargs)
            finally:
                self.ended.append(event_name)

        return recording


async def test_posted_items_flow_through_embedded_stream_with_track_ids(web_client: MakeClient) -> None:
    client = await web_client(start_streams=True)
    for i in range(3):
        resp = await client.post(f"{BASE}/produce", json={"id": f"i{i}", "count": i},
                                 headers={"X-Track-Session-Id": f"s{i}"})
        assert resp.status == 200
    status = await _wait_for(client, lambda s: len(s["consumed"]) == 3)
    assert sorted(status["consumed"]) == ["i0:s0", "i1:s1", "i2:s2"]
    assert (await _wait_for(client, lambda s: s["service_items"] > 0))["service_items"] > 0


async def test_management_routes_start_and_stop_stream_and_service(
    web_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    loops = Loops(monkeypatch)
    client = await web_client()
    await client.post(f"{BASE}/produce", json={"id": "x", "count": 1})
    assert loops.started == []  # not started without --start-streams
    assert (await _status(client))["consumed"] == []

    resp = await client.get(f"{MGMT}/consume/start")
    assert resp.status == 200
    assert await resp.text() == ""
    status = await _wait_for(client, lambda s: s["consumed"] == ["x:"])
    assert status["consumed"] == ["x:"]
    resp = await client.get(f"{MGMT}/consume/start")
    assert resp.status == 409
    assert json.loads(await resp.text())["msg"] == "Stream already running: consume"

    resp = await client.get(f"{MGMT}/consume/stop")
    assert resp.status == 200
    resp = await client.get(f"{MGMT}/consume/stop")
    assert resp.status == 409
    assert json.loads(await resp.text())["msg"] == "Cannot stop non running event: consume."
    await wait_until(lambda: loops.ended == ["consume"], what="the consume loop to end its last batch")
    await client.post(f"{BASE}/produce", json={"id": "y", "count": 1})
    assert (await _status(client))["consumed"] == ["x:"]  # stopped: y stays in the stream...
    assert (await client.get(f"{MGMT}/consume/start")).status == 200
    await _wait_for(client, lambda s: s["consumed"] == ["x:", "y:"])  # ...for the loop started again

    assert (await client.get(f"{MGMT}/service/start")).status == 200
    status = await _wait_for(client, lambda s: s["service_items"] >= 2)
    assert status["service_items"] >= 2
    assert (await client.get(f"{MGMT}/service/start")).status == 409
    assert (await client.get(f"{MGMT}/service/stop")).status == 200
    await wait_until(lambda: "service" in loops.ended, what="the service loop to end")
    assert loops.started == ["consume", "consume", "service"]


async def test_management_routes_exist_only_for_stream_and_service_events(web_client: MakeClient) -> None:
    client = await web_client()
    assert (await client.get(f"{MGMT}/pid/start")).status == 404
    assert (await client.get("/mgmt/web-test-plugin/1x0/plugin-event/start")).status == 404


async def test_no_streams_section_uses_embedded_streams(web_client: MakeClient, tmp_path: Path) -> None:
    server = tmp_path / "server.json"
    server.write_text(json.dumps({"logging": {"log_level": "WARNING", "console_only": True}}))
    client = await web_client([str(server), PLUGIN, APP], start_streams=True)
    resp = await client.post(f"{BASE}/produce", json={"id": "e1", "count": 1}, headers={"X-Track-Session-Id": "s"})
    assert resp.status == 200
    # default delay_auto_start_seconds is 3: the read loop starts within 1.5 to 4.5 seconds
    status = await _wait_for(client, lambda s: s["consumed"] == ["e1:s"], timeout=8.0)
    assert status["consumed"] == ["e1:s"]
