r"""What the page asks for (``VisualizationOptions``) and what it draws (``CytoscapeGraph``).

The graph goes to the page as cytoscape elements keyed by id, so a refresh can tell whether the
set of elements changed (and only then lay the graph out again)::

    {"simple_example.0x24.query_something": {"data": {"id": ..., "content": "simple_example.0x24\\nquery_something"},
                                             "classes": "EVENT"},
     "edge_<port>": {"data": {"id": "edge_<port>", "source": ..., "target": ..., "label": ...}}}
"""

from typing import Any, Dict, List, Optional, Tuple, Union

from hopeit.app.context import EventContext
from hopeit.apps_visualizer.graphs import Graph
from hopeit.dataobjects import dataclass, dataobject, field

__all__ = [
    "BLANK_EDGE_LABELS",
    "CytoscapeGraph",
    "VisualizationOptions",
    "cytoscape_data",
    "is_true",
    "visualization_options",
    "visualization_options_api_args",
]

#: Edge labels not worth drawing: the default queue and the request types.
BLANK_EDGE_LABELS = frozenset({"AUTO", "POST", "GET", "MULTIPART"})


@dataobject
@dataclass
class CytoscapeGraph:
    """Cytoscape elements by id: nodes by their id, edges as ``edge_<port>``."""

    data: Dict[str, Dict[str, Any]] = field(default_factory=dict)


@dataobject
@dataclass
class VisualizationOptions:
    """What to draw, from the query args of the page and its JSON endpoints.

    Apps whose name starts with ``app_prefix``, on servers whose url contains ``host_filter``;
    effective events (SHUFFLE stages, services) with ``expanded_view``; coloured from recent
    activity with ``live``.
    """

    app_prefix: str = ""
    host_filter: str = ""
    expanded_view: bool = False
    live: bool = False


#: A query arg as ``event_api(query_args=...)`` takes it.
QueryArg = Union[str, Tuple[str, Any], Tuple[str, Any, str]]


def visualization_options_api_args() -> List[QueryArg]:
    """The query args of the page and its JSON endpoints, for ``event_api(query_args=...)``."""
    return [
        ("app_prefix", Optional[str], "Draw only apps whose name starts with this text"),
        ("host_filter", Optional[str], "Draw only apps running on a server whose url contains this text"),
        ("expanded_view", Optional[bool], "Draw the events the engines run: SHUFFLE stages and services"),
        ("live", Optional[bool], "Colour events and streams from recent activity"),
    ]


def is_true(value: Union[bool, str, None]) -> bool:
    """A flag given as ``True`` or as query text ``true``/``True``."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


async def visualization_options(
    payload: None,
    context: EventContext,
    *,
    app_prefix: Optional[str] = "",
    host_filter: Optional[str] = "",
    expanded_view: Union[bool, str, None] = False,
    live: Union[bool, str, None] = False,
) -> VisualizationOptions:
    """Step: the query args as ``VisualizationOptions``."""
    return VisualizationOptions(
        app_prefix=app_prefix or "",
        host_filter=host_filter or "",
        expanded_view=is_true(expanded_view),
        live=is_true(live),
    )


def node_content(label: str) -> str:
    """A label on two lines when it has more than two dot-parts: ``app.0x24`` then the rest."""
    parts = label.split(".")
    if len(parts) > 2:
        return ".".join(parts[:2]) + "\n" + ".".join(parts[2:])
    return label


def cytoscape_data(graph: Graph) -> CytoscapeGraph:
    """The graph as cytoscape elements keyed by id."""
    data: Dict[str, Dict[str, Any]] = {}
    for node in graph.nodes:
        data[node.id] = {"data": {"id": node.id, "content": node_content(node.label)}, "classes": node.type.value}
    for edge in graph.edges:
        edge_id = f"edge_{edge.id}"
        label = "" if edge.label in BLANK_EDGE_LABELS else edge.label
        data[edge_id] = {"data": {"id": edge_id, "source": edge.source, "target": edge.target, "label": label}}
    return CytoscapeGraph(data=data)
