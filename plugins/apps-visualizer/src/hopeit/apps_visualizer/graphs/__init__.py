"""The graph of requests, events and streams of a set of apps: its model and how it is built."""

from hopeit.apps_visualizer.graphs.construction import (
    REQUEST_TYPES,
    add_app_connections,
    build_graph,
    filter_apps,
    get_edges,
    get_nodes,
)
from hopeit.apps_visualizer.graphs.model import Edge, Graph, Node, NodeType

__all__ = [
    "REQUEST_TYPES",
    "Edge",
    "Graph",
    "Node",
    "NodeType",
    "add_app_connections",
    "build_graph",
    "filter_apps",
    "get_edges",
    "get_nodes",
]
