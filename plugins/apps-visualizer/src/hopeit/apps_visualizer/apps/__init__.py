"""The apps running on the configured hosts, asked through config-manager and kept for a while.

The page and its refreshes all need the same view of the cluster; asking every host on every
refresh (every 5 s per open page) would load them for nothing. ``get_runtime_apps`` keeps the
last answer for ``refresh_hosts_seconds`` (one per ``expand_events`` value) and lets only one
request ask the hosts at a time: requests arriving meanwhile wait for that answer and share it.
"""

import asyncio
import time
from typing import Callable, Dict, Optional, Tuple

from hopeit.app.context import EventContext
from hopeit.apps_visualizer import SETTINGS_KEY, AppsVisualizerSettings
from hopeit.config_manager import RuntimeApps
from hopeit.config_manager.client import get_apps_config

__all__ = ["RuntimeAppsCache", "cache", "get_runtime_apps"]


class RuntimeAppsCache:
    """The last ``RuntimeApps`` read from the hosts, per ``expand_events`` value, with the time it was read.

    :param clock: seconds of a monotonic clock (tests pass their own).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._entries: Dict[bool, Tuple[float, RuntimeApps]] = {}
        self._lock: Optional[asyncio.Lock] = None
        self._lock_loop: Optional[asyncio.AbstractEventLoop] = None

    def clear(self) -> None:
        """Forget what was read (the next request asks the hosts)."""
        self._entries.clear()

    def _fresh(self, expand_events: bool, ttl: float, since: float) -> Optional[RuntimeApps]:
        entry = self._entries.get(expand_events)
        if entry is not None and entry[0] > since and self.clock() - entry[0] < ttl:
            return entry[1]
        return None

    def _the_lock(self) -> asyncio.Lock:
        # one lock per event loop: tests and restarts run several loops in one process, and an
        # asyncio.Lock must not be shared across them (on 3.8 it binds the loop it was made on)
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock

    async def get(self, context: EventContext, *, refresh: bool = False, expand_events: bool = False) -> RuntimeApps:
        """The apps of the hosts in the ``apps_visualizer`` settings of ``context``.

        :param refresh: ask the hosts now even when the last answer is still fresh.
        :param expand_events: list effective events (SHUFFLE stages, services) instead of configured ones.
        """
        settings = context.settings(key=SETTINGS_KEY, datatype=AppsVisualizerSettings)
        asked_at = self.clock()
        if not refresh:
            found = self._fresh(expand_events, settings.refresh_hosts_seconds, float("-inf"))
            if found is not None:
                return found
        async with self._the_lock():
            # a request that waited while another one asked the hosts takes that answer, which
            # came in after this request arrived: asking again at once would tell nothing new
            found = self._fresh(expand_events, settings.refresh_hosts_seconds, asked_at)
            if found is None and not refresh:
                found = self._fresh(expand_events, settings.refresh_hosts_seconds, float("-inf"))
            if found is not None:
                return found
            apps = await get_apps_config(settings.hosts, context, expand_events=expand_events)
            self._entries[expand_events] = (self.clock(), apps)
            return apps


#: The cache of this server process.
cache = RuntimeAppsCache()


async def get_runtime_apps(context: EventContext, *, refresh: bool = False, expand_events: bool = False) -> RuntimeApps:
    """The apps running on the configured hosts, from this process's cache (see ``RuntimeAppsCache.get``)."""
    return await cache.get(context, refresh=refresh, expand_events=expand_events)
