"""Work done once per answer of the hosts: the graph of each set of options, and the apps' JSON.

The apps read from the hosts stay the same object until the cache asks the hosts again (every
``refresh_hosts_seconds``), while the page asks for the graph every 5 seconds: the graph and the
JSON text of the apps are kept for that object and built again only for a new one.
"""

import json
from collections import OrderedDict
from typing import Any, Dict, Tuple

from hopeit.apps_visualizer.graphs import build_graph, filter_apps
from hopeit.apps_visualizer.site.visualization import CytoscapeGraph, VisualizationOptions, cytoscape_data
from hopeit.config_manager import RuntimeApps
from hopeit.dataobjects.payload import Payload

__all__ = ["MAX_KEPT", "apps_json", "clear", "graph_for", "result_json"]

#: Most graphs kept (one per set of filters asked for); the oldest goes first.
MAX_KEPT = 64

_graphs: "OrderedDict[Tuple[str, str, bool], Tuple[RuntimeApps, CytoscapeGraph, str]]" = OrderedDict()
_apps_json: Dict[bool, Tuple[RuntimeApps, str]] = {}


def clear() -> None:
    """Forget every graph and text kept."""
    _graphs.clear()
    _apps_json.clear()


def _entry(runtime_apps: RuntimeApps, options: VisualizationOptions) -> Tuple[RuntimeApps, CytoscapeGraph, str]:
    key = (options.app_prefix, options.host_filter, options.expanded_view)
    found = _graphs.get(key)
    if found is None or found[0] is not runtime_apps:
        apps = filter_apps(runtime_apps.apps, app_prefix=options.app_prefix, host_filter=options.host_filter)
        graph = cytoscape_data(build_graph(apps, expanded_view=options.expanded_view))
        found = _graphs[key] = (runtime_apps, graph, json.dumps(graph.data))
        while len(_graphs) > MAX_KEPT:
            _graphs.popitem(last=False)
    _graphs.move_to_end(key)
    return found


def graph_for(runtime_apps: RuntimeApps, options: VisualizationOptions) -> CytoscapeGraph:
    """A new ``CytoscapeGraph`` of the apps that pass ``options``' filters.

    Its elements are copies, so classes can be added to them; their ``data`` is shared and must
    not be changed.
    """
    graph = _entry(runtime_apps, options)[1]
    return CytoscapeGraph(data={key: dict(item) for key, item in graph.data.items()})


def apps_json(runtime_apps: RuntimeApps, expanded_view: bool) -> str:
    """JSON text of ``runtime_apps`` (as ``Payload.to_json`` writes it)."""
    found = _apps_json.get(expanded_view)
    if found is None or found[0] is not runtime_apps:
        found = _apps_json[expanded_view] = (runtime_apps, Payload.to_json(runtime_apps))
    return found[1]


def result_json(runtime_apps: RuntimeApps, graph: CytoscapeGraph, options: VisualizationOptions) -> str:
    """JSON text of an ``EventsGraphResult`` of these parts, reusing the text kept of each."""
    entry = _entry(runtime_apps, options)
    graph_text = entry[2] if _same_elements(graph, entry[1]) else json.dumps(graph.data)
    options_text = Payload.to_json(options)
    return f'{{"runtime_apps": {apps_json(runtime_apps, options.expanded_view)}, ' \
           f'"graph": {{"data": {graph_text}}}, "options": {options_text}}}'


def _same_elements(graph: CytoscapeGraph, kept: CytoscapeGraph) -> bool:
    # a graph without live classes added is the kept one: its text can be reused
    data: Dict[str, Dict[str, Any]] = graph.data
    return all(item.get("classes") == kept.data[key].get("classes") for key, item in data.items())
