"""How the graph is built from the apps' events (plugins spec section 7, "Graph construction").

Every port is a name; a node lists the ports it emits (``outputs``) and receives (``inputs``), and
an edge joins the emitter of a port to its receiver:

* a GET/POST/MULTIPART event is reached by a request node ``<event key>.<TYPE>`` through the port
  of the same name;
* an event reading a stream receives, from the stream node, one port per queue
  ``<event key>.<stream label>.<queue>``; an event writing a stream emits one port per queue it
  writes to, received by the stream node;
* an event calling another app (its ``connections``) emits
  ``<event key>.<app connection>.<event>.<TYPE>``, received by that event's request node when the
  other app is drawn too.
"""

from typing import Dict, Iterable, List, Mapping

from hopeit.app.config import (
    AppConnection,
    EventConnection,
    EventDescriptor,
    EventType,
    StreamQueue,
    StreamQueueStrategy,
)
from hopeit.app.names import auto_path
from hopeit.apps_visualizer.graphs.model import Edge, Graph, Node, NodeType
from hopeit.config_manager import RuntimeAppInfo

__all__ = ["REQUEST_TYPES", "add_app_connections", "build_graph", "filter_apps", "get_edges", "get_nodes"]

#: Event types reached by an HTTP request: they get a request node.
REQUEST_TYPES = (EventType.GET, EventType.POST, EventType.MULTIPART)


def filter_apps(
    apps: Mapping[str, RuntimeAppInfo], *, app_prefix: str = "", host_filter: str = ""
) -> Dict[str, RuntimeAppInfo]:
    """The apps whose name starts with ``app_prefix`` and, with a ``host_filter``, run on a server whose url has it."""
    return {
        key: info
        for key, info in apps.items()
        if info.app_config.app.name.startswith(app_prefix)
        and (not host_filter or any(host_filter in server.url for server in info.servers))
    }


def build_graph(apps: Mapping[str, RuntimeAppInfo], *, expanded_view: bool) -> Graph:
    """The graph of the events of ``apps`` (already filtered), with the calls between them."""
    events: Dict[str, EventDescriptor] = {}
    for info in apps.values():
        events.update(info.effective_events)
    nodes = get_nodes(events, expanded_view=expanded_view)
    add_app_connections(nodes, apps)
    return Graph(nodes=list(nodes.values()), edges=get_edges(nodes.values()))


def get_nodes(events: Mapping[str, EventDescriptor], *, expanded_view: bool) -> Dict[str, Node]:
    """Request, stream and event nodes of ``events`` (keyed ``<app_key>.[<plugin_key>.]<event>``), by id.

    :param expanded_view: one stream node per queue; otherwise one per stream, its queues as slots.
    """
    nodes: Dict[str, Node] = {}
    for key, event in events.items():
        inputs: List[str] = []
        outputs: List[str] = []
        if event.type in REQUEST_TYPES:
            request_id = f"{key}.{event.type.value}"
            nodes[request_id] = Node(id=request_id, label=event.type.value, type=NodeType.REQUEST, outputs=[request_id])
            inputs.append(request_id)
        read_queues: List[str] = []
        if event.read_stream is not None:
            read_queues = list(event.read_stream.queues)
            for queue in read_queues:
                port = _stream_port(nodes, key, event.read_stream.name, queue, expanded_view, into_stream=False)
                inputs.append(port)
        if event.write_stream is not None:
            for queue in _written_queues(event, read_queues):
                port = _stream_port(nodes, key, event.write_stream.name, queue, expanded_view, into_stream=True)
                outputs.append(port)
        nodes[key] = Node(id=key, label=key, type=NodeType.EVENT, inputs=inputs, outputs=outputs)
    return nodes


def add_app_connections(nodes: Dict[str, Node], apps: Mapping[str, RuntimeAppInfo]) -> None:
    """Ports from each event to the request nodes of the events it calls, when those are drawn.

    A connection names an entry of its app's ``app_connections``; the callee's request node is
    ``<callee app key>.[<plugin key>.]<event>.<TYPE>``.
    """
    for info in apps.values():
        app_connections = info.app_config.app_connections
        for key, event in info.effective_events.items():
            source = nodes.get(key)
            if source is None:
                continue
            for connection in event.connections:
                app_connection = app_connections.get(connection.app_connection)
                if app_connection is None:
                    continue
                target = nodes.get(_callee_request_id(app_connection, connection))
                if target is None:
                    continue
                port = f"{key}.{connection.app_connection}.{connection.event}.{connection.type.value}"
                source.outputs.append(port)
                target.inputs.append(port)


def get_edges(nodes: Iterable[Node]) -> List[Edge]:
    """An edge for every port that one node emits and another receives, in node order."""
    node_list = list(nodes)
    emitters: Dict[str, str] = {}
    for node in node_list:
        for port in node.outputs:
            emitters.setdefault(port, node.id)
    edges: List[Edge] = []
    for node in node_list:
        for port in node.inputs:
            source = emitters.get(port)
            if source is not None:
                edges.append(Edge(id=port, label=port.rsplit(".", 1)[-1], source=source, target=node.id))
    return edges


def _written_queues(event: EventDescriptor, read_queues: List[str]) -> List[str]:
    """Queues an event writes to: with PROPAGATE, ``AUTO`` stands for each queue it read from."""
    assert event.write_stream is not None
    queues = list(event.write_stream.queues)
    if read_queues and event.write_stream.queue_strategy == StreamQueueStrategy.PROPAGATE:
        queues = [read if queue == StreamQueue.AUTO else queue for read in read_queues for queue in queues]
    return list(dict.fromkeys(queues))


def _stream_port(
    nodes: Dict[str, Node], event_key: str, stream: str, queue: str, expanded_view: bool, *, into_stream: bool
) -> str:
    """The port between an event and the stream node of ``stream`` (created if new) for ``queue``."""
    if expanded_view:
        node_id = f">{stream}.{queue}" if queue else f">{stream}"
        label = stream if queue == StreamQueue.AUTO or not queue else f"{stream}.{queue}"
    else:
        node_id, label = f">{stream}", stream
    node = nodes.get(node_id)
    if node is None:
        node = nodes[node_id] = Node(id=node_id, label=label, type=NodeType.STREAM)
    if queue not in node.slots:
        node.slots = sorted([*node.slots, queue])
    port = f"{event_key}.{label}.{queue}"
    (node.inputs if into_stream else node.outputs).append(port)
    return port


def _callee_request_id(app_connection: AppConnection, connection: EventConnection) -> str:
    parts = [auto_path(app_connection.name, app_connection.version)]
    if app_connection.plugin_name:
        parts.append(auto_path(app_connection.plugin_name, app_connection.plugin_version or app_connection.version))
    return ".".join([*parts, connection.event, connection.type.value])
