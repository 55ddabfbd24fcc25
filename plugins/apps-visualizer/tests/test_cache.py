"""The runtime-apps cache: one fetch at a time, shared by the requests that wait for it, kept for a while.

The hosts are replaced by a counting fetch that the test releases, so what runs concurrently is
under the test's control (the fetch over HTTP is covered by test_events.py).
"""

import asyncio
from typing import Any, List

import pytest
from hopeit.app.config import AppConfig
from hopeit.apps_visualizer import apps
from hopeit.apps_visualizer.apps import RuntimeAppsCache
from hopeit.config_manager import RuntimeApps
from hopeit.testing.apps import create_test_context
from hopeit.testing.waiting import wait_until


class ControlledHosts:
    """Stands for config-manager's cluster view: each call waits for ``release`` and answers a new object."""

    def __init__(self) -> None:
        self.calls: List[bool] = []
        self.release = asyncio.Event()

    async def __call__(self, hosts: str, context: Any, *, expand_events: bool) -> RuntimeApps:
        self.calls.append(expand_events)
        await self.release.wait()
        return RuntimeApps(apps={}, server_status={f"call-{len(self.calls)}": "ALIVE"})  # type: ignore[dict-item]


@pytest.fixture
async def hosts(monkeypatch: pytest.MonkeyPatch) -> ControlledHosts:
    controlled = ControlledHosts()  # in the test's loop: on 3.8 an asyncio.Event binds the loop it was made in
    monkeypatch.setattr(apps, "get_apps_config", controlled)
    return controlled


async def test_requests_during_a_fetch_wait_for_it_and_share_its_answer(
    visualizer_config: AppConfig, hosts: ControlledHosts
) -> None:
    cache, context = RuntimeAppsCache(), create_test_context(visualizer_config, "apps.events-graph")
    first = asyncio.ensure_future(cache.get(context, refresh=True))
    await wait_until(lambda: hosts.calls)
    waiting = [asyncio.ensure_future(cache.get(context)) for _ in range(3)]
    await asyncio.sleep(0)  # let them reach the lock: none may start a fetch of its own
    assert not any(task.done() for task in waiting) and len(hosts.calls) == 1
    hosts.release.set()
    answers = await asyncio.gather(first, *waiting)
    assert len(hosts.calls) == 1 and all(answer is answers[0] for answer in answers)


async def test_answer_is_kept_until_it_expires_or_a_refresh(
    visualizer_config: AppConfig, hosts: ControlledHosts
) -> None:
    hosts.release.set()
    clock = [1000.0]
    cache = RuntimeAppsCache(clock=lambda: clock[0])
    context = create_test_context(visualizer_config, "apps.events-graph")
    first = await cache.get(context)
    assert await cache.get(context) is first
    expanded = await cache.get(context, expand_events=True)
    assert expanded is not first and hosts.calls == [False, True], "each view is kept on its own"
    clock[0] += 59
    assert await cache.get(context) is first
    clock[0] += 1  # refresh_hosts_seconds (60) passed
    second = await cache.get(context)
    assert second is not first
    third = await cache.get(context, refresh=True)
    assert third is not second and len(hosts.calls) == 4
    cache.clear()
    assert await cache.get(context) is not third
