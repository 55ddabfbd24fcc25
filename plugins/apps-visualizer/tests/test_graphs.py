"""Graph building on the example apps as a real server reports them (simple-example + client-example)."""

from typing import Dict, List, Set, Tuple

from hopeit.apps_visualizer.graphs import Edge, Graph, Node, NodeType, build_graph, filter_apps, get_edges
from hopeit.apps_visualizer.site.visualization import cytoscape_data
from hopeit.config_manager import RuntimeApps

SE = "simple_example.1x0"
CE = "client_example.1x0"
SOMETHING = f"{SE}.streams.something_event"
PROCESSED = f"{SE}.streams.process_events"


def nodes_of(graph: Graph) -> Dict[str, Node]:
    return {node.id: node for node in graph.nodes}


def links(graph: Graph) -> Set[Tuple[str, str, str]]:
    return {(edge.source, edge.target, edge.label) for edge in graph.edges}





def test_request_nodes_reach_their_events(configured_apps: RuntimeApps) -> None:
    graph = build_graph(configured_apps.apps, expanded_view=False)
    nodes = nodes_of(graph)
    for event, kind in [("query_something", "GET"), ("save_something", "POST"), ("upload_something", "MULTIPART")]:
        request = nodes[f"{SE}.{event}.{kind}"]
        assert (request.type, request.label) == (NodeType.REQUEST, kind)
        assert (request.id, f"{SE}.{event}", kind) in links(graph)
    assert nodes[f"{SE}.query_something"].type == NodeType.EVENT
    # a SETUP event is drawn, reached by nothing; a SERVICE writes its stream
    assert f"{SE}.setup_something.GET" not in nodes and f"{SE}.setup_something" in nodes
    assert (f"{SE}.service.something_generator", f">{SOMETHING}", "AUTO") in links(graph)


def test_one_stream_node_per_stream_with_its_queues_as_slots(configured_apps: RuntimeApps) -> None:
    graph = build_graph(configured_apps.apps, expanded_view=False)
    nodes = nodes_of(graph)
    stream = nodes[f">{SOMETHING}"]
    assert (stream.type, stream.label, stream.slots) == (NodeType.STREAM, SOMETHING, ["AUTO", "high-prio"])
    assert {
        (f"{SE}.streams.something_event", f">{SOMETHING}", "high-prio"),
        (f">{SOMETHING}", PROCESSED, "high-prio"),
        (f">{SOMETHING}", PROCESSED, "AUTO"),
        # PROPAGATE: process_events writes each message to the queue it read it from
        (PROCESSED, f">{PROCESSED}", "high-prio"),
        (PROCESSED, f">{PROCESSED}", "AUTO"),
        (f">{PROCESSED}", f"{SE}.storage.save_events_fs", "high-prio"),
    } <= links(graph)
    assert nodes[f">{PROCESSED}"].slots == ["AUTO", "high-prio"]
    assert not [node for node in graph.nodes if "$" in node.id], "stages only in the expanded view"


def test_app_connections_join_the_caller_to_the_requests_it_sends(configured_apps: RuntimeApps) -> None:
    graph = build_graph(configured_apps.apps, expanded_view=False)
    assert {
        (f"{CE}.count_and_save", f"{SE}.login.GET", "GET"),
        (f"{CE}.count_and_save", f"{SE}.list_somethings.GET", "GET"),
        (f"{CE}.count_and_save", f"{SE}.save_something.POST", "POST"),
        (f"{CE}.query_remote", f"{SE}.query_something.GET", "GET"),
    } <= links(graph)
    client_only = build_graph(filter_apps(configured_apps.apps, app_prefix="client"), expanded_view=False)
    assert {node.id for node in client_only.nodes} == {
        f"{CE}.query_remote", f"{CE}.query_remote.GET", f"{CE}.count_and_save", f"{CE}.count_and_save.GET"
    }
    assert len(client_only.edges) == 2, "a callee that is not drawn gets no edge"


def test_expanded_view_draws_shuffle_stages_and_one_node_per_queue(effective_apps: RuntimeApps) -> None:
    graph = build_graph(effective_apps.apps, expanded_view=True)
    nodes = nodes_of(graph)
    spawn, stage = f"{SE}.shuffle.spawn_event", f"{SE}.shuffle.spawn_event$update_status"
    stage_stream = f">{SE}.shuffle.spawn_event.spawn_many_events.AUTO"
    assert nodes[stage].type == NodeType.EVENT and nodes[stage_stream].type == NodeType.STREAM
    assert {(spawn, stage_stream, "AUTO"), (stage_stream, stage, "AUTO"),
            (stage, f">{PROCESSED}.AUTO", "AUTO")} <= links(graph)
    high, auto = nodes[f">{SOMETHING}.high-prio"], nodes[f">{SOMETHING}.AUTO"]
    assert (high.label, auto.label) == (f"{SOMETHING}.high-prio", SOMETHING)
    assert f">{SOMETHING}" not in nodes
    assert f"{SE}.storage.save_events_fs$__service__" in nodes
    parallel = [node.id for node in graph.nodes if node.id.startswith(f"{SE}.shuffle.parallelize_event$")]
    assert sorted(parallel) == [f"{SE}.shuffle.parallelize_event$process_first_part",
                                f"{SE}.shuffle.parallelize_event$update_status"]


def test_filters_by_app_prefix_and_host(configured_apps: RuntimeApps) -> None:
    url = next(iter(configured_apps.server_status))
    assert set(filter_apps(configured_apps.apps, app_prefix="simple")) == {SE}
    assert set(filter_apps(configured_apps.apps, host_filter=url.split("//")[1])) == set(configured_apps.apps)
    assert filter_apps(configured_apps.apps, host_filter="10.9.9.9") == {}
    assert build_graph({}, expanded_view=False) == Graph(nodes=[], edges=[])


def test_cytoscape_elements_keyed_by_id(configured_apps: RuntimeApps) -> None:
    data = cytoscape_data(build_graph(filter_apps(configured_apps.apps, app_prefix="simple"), expanded_view=False)).data
    assert data[f"{SE}.query_something"] == {
        "data": {"id": f"{SE}.query_something", "content": f"{SE}\nquery_something"}, "classes": "EVENT"
    }
    assert data[f">{SOMETHING}"]["data"]["content"] == f"{SE}\nstreams.something_event"
    assert data[f"{SE}.query_something.GET"]["data"]["content"] == "GET"
    request_edge = data[f"edge_{SE}.query_something.GET"]["data"]
    assert request_edge == {"id": f"edge_{SE}.query_something.GET", "source": f"{SE}.query_something.GET",
                            "target": f"{SE}.query_something", "label": ""}
    queue_edge = data[f"edge_{PROCESSED}.{SOMETHING}.high-prio"]["data"]
    assert (queue_edge["source"], queue_edge["label"]) == (f">{SOMETHING}", "high-prio")


def test_edges_only_where_a_port_is_emitted_and_received() -> None:
    nodes: List[Node] = [
        Node(id="a", label="a", type=NodeType.EVENT, outputs=["a.x", "a.lost"]),
        Node(id="b", label="b", type=NodeType.EVENT, inputs=["a.x", "nobody.y"]),
    ]
    assert get_edges(nodes) == [Edge(id="a.x", label="x", source="a", target="b")]
