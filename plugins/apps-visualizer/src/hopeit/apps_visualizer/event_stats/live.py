"""Event stats live: the events graph coloured by what ran lately.

GET ``/api/apps-visualizer/<ver>/event-stats/live?app_prefix=&host_filter=&expanded_view=``.
The same answer as ``apps/events-graph``; each event, stream and edge that had entries (read by
``event-stats.collect``) in the last ``live_active_treshold_seconds`` gets classes the page styles:
``STARTED``, ``RECENT`` (within ``live_recent_treshold_seconds``), ``PENDING`` (started, not
finished), ``FAILED`` and ``IGNORED``.
"""

from typing import Dict, Iterable, List, Mapping, Set, Tuple

from hopeit.app.api import event_api
from hopeit.app.context import EventContext
from hopeit.apps_visualizer import SETTINGS_KEY, AppsVisualizerSettings
from hopeit.apps_visualizer.apps.events_graph import (
    EventsGraphResult,
    __postprocess__,
    build_visualization,
    visualization_options,
)
from hopeit.apps_visualizer.event_stats.collect import recent_entries
from hopeit.apps_visualizer.event_stats.stats import EventStats, get_stats
from hopeit.apps_visualizer.graphs import filter_apps
from hopeit.apps_visualizer.site.visualization import (
    CytoscapeGraph,
    VisualizationOptions,
    visualization_options_api_args,
)
from hopeit.config_manager import RuntimeAppInfo

__all__ = [
    "__api__",
    "__postprocess__",
    "__steps__",
    "host_pids",
    "live_classes",
    "live_stats",
    "stats_classes",
    "visualization_options",
]

__steps__ = ["visualization_options", "live_stats"]

__api__ = event_api(
    query_args=visualization_options_api_args(),
    responses={200: (EventsGraphResult, "The apps and their graph, coloured by recent activity")},
)

#: Request node ids end with their request type.
_REQUEST_SUFFIXES = (".GET", ".POST", ".MULTIPART")


async def live_stats(options: VisualizationOptions, context: EventContext) -> EventsGraphResult:
    """Step: the events graph with the classes of the recent activity of the drawn servers."""
    result = await build_visualization(options, context)
    settings = context.settings(key=SETTINGS_KEY, datatype=AppsVisualizerSettings)
    apps = filter_apps(result.runtime_apps.apps, app_prefix=options.app_prefix, host_filter=options.host_filter)
    stats = get_stats(
        list(recent_entries),
        host_pids(apps.values(), options.host_filter),
        time_window_secs=settings.live_active_treshold_seconds,
        recent_secs=settings.live_recent_treshold_seconds,
    )
    live_classes(result.graph, stats)
    return result


def host_pids(apps: Iterable[RuntimeAppInfo], host_filter: str) -> Set[Tuple[str, str]]:
    """``(host name, pid)`` of the servers of ``apps`` whose url contains ``host_filter``."""
    return {
        (server.host_name, server.pid) for info in apps for server in info.servers if host_filter in server.url
    }


def stats_classes(stats: EventStats) -> Set[str]:
    """The page's style classes for ``stats``."""
    found = set()
    if stats.started:
        found.add("STARTED")
    if stats.pending:
        found.add("PENDING")
    if stats.recent:
        found.add("RECENT")
    if stats.failed:
        found.add("FAILED")
    if stats.ignored:
        found.add("IGNORED")
    return found


def live_classes(graph: CytoscapeGraph, stats: Mapping[str, EventStats]) -> None:
    """Add to the elements of ``graph`` the classes of their stats (in place).

    A node counts by its id. An edge counts by the event it comes from or goes to; an edge out of a
    stream counts by that stream's queue (``><stream>.<queue>``). An edge's classes also go to the
    stream it feeds and to the request node it comes from, so a request that ran shows it.
    """
    added: Dict[str, Set[str]] = {}
    for item_id, item in graph.data.items():
        data = item["data"]
        keys: List[str] = [item_id]
        if "source" in data:
            source, target = data["source"], data["target"]
            if source.startswith(">"):
                queue = item_id.rsplit(".", 1)[-1]
                keys.append(source if source.endswith("." + queue) else f"{source}.{queue}")
            else:
                keys.append(source)
            if not target.startswith(">"):
                keys.append(target)
        classes: Set[str] = set()
        for key in keys:
            found = stats.get(key)
            if found is not None:
                classes |= stats_classes(found)
        if not classes:
            continue
        added.setdefault(item_id, set()).update(classes)
        if "source" in data:
            if data["target"].startswith(">"):
                added.setdefault(data["target"], set()).update(classes)
            if data["source"].endswith(_REQUEST_SUFFIXES):
                added.setdefault(data["source"], set()).update(classes)
    for item_id, classes in added.items():
        item = graph.data[item_id]
        current = set(item.get("classes", "").split())
        item["classes"] = " ".join(sorted(current | classes))
