"""Apps events graph: the graph of the apps running on the configured hosts, as cytoscape elements.

GET ``/api/apps-visualizer/<ver>/apps/events-graph?app_prefix=&host_filter=&expanded_view=&live=``.
The page fetches it every few seconds; the apps come from the hosts' config-manager, read again
at most every ``refresh_hosts_seconds``.
"""

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PostprocessHook
from hopeit.apps_visualizer.apps import get_runtime_apps, memo
from hopeit.apps_visualizer.site.visualization import (
    CytoscapeGraph,
    VisualizationOptions,
    visualization_options,
    visualization_options_api_args,
)
from hopeit.config_manager import RuntimeApps
from hopeit.dataobjects import dataclass, dataobject

__all__ = [
    "JSON_CONTENT_TYPE",
    "EventsGraphResult",
    "__api__",
    "__postprocess__",
    "__steps__",
    "build_visualization",
    "visualization_options",
]

#: Content type of the JSON text written by ``__postprocess__``.
JSON_CONTENT_TYPE = "application/json; charset=utf-8"

__steps__ = ["visualization_options", "build_visualization"]


@dataobject
@dataclass
class EventsGraphResult:
    """What the page draws: the apps, the graph of those that pass the filters, and the options.

    ``runtime_apps`` holds every app of the hosts (the page lists them in its filters).
    """

    runtime_apps: RuntimeApps
    graph: CytoscapeGraph
    options: VisualizationOptions


__api__ = event_api(
    query_args=visualization_options_api_args(),
    responses={200: (EventsGraphResult, "The apps; the graph of those that pass the filters, as cytoscape elements")},
)


async def build_visualization(options: VisualizationOptions, context: EventContext) -> EventsGraphResult:
    """Step: the graph of the apps that pass ``options``' filters."""
    runtime_apps = await get_runtime_apps(context, expand_events=options.expanded_view)
    graph = memo.graph_for(runtime_apps, options)
    return EventsGraphResult(runtime_apps=runtime_apps, graph=graph, options=options)


async def __postprocess__(payload: EventsGraphResult, context: EventContext, response: PostprocessHook) -> str:
    """Answer the result's JSON, written from the text kept of its apps and graph.

    The same JSON the engine would write for ``EventsGraphResult``; the apps (most of it) and the
    graph are written once per answer of the hosts instead of on every refresh.
    """
    response.set_content_type(JSON_CONTENT_TYPE)
    return memo.result_json(payload.runtime_apps, payload.graph, payload.options)
