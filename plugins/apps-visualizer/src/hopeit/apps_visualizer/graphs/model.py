"""The graph the visualizer draws: request, event and stream nodes joined through named ports."""

from enum import Enum
from typing import List

from hopeit.dataobjects import dataclass, dataobject, field

__all__ = ["Edge", "Graph", "Node", "NodeType"]


class NodeType(str, Enum):
    """What a node stands for; it is also the node's style class on the page."""

    REQUEST = "REQUEST"
    EVENT = "EVENT"
    STREAM = "STREAM"
    MULTIPART = "MULTIPART"


@dataobject
@dataclass
class Node:
    """A node and its ports: an edge joins the node that has a port as output to the one that has it as input.

    :field id: unique in the graph: the event key, ``<event key>.<GET|POST|MULTIPART>`` for the
        request that reaches an event, or ``><stream name>`` (``><stream name>.<queue>`` per queue
        in the expanded view) for a stream.
    :field slots: the queues of a stream node drawn once for all its queues.
    """

    id: str
    label: str
    type: NodeType
    inputs: List[str] = field(default_factory=list)
    outputs: List[str] = field(default_factory=list)
    slots: List[str] = field(default_factory=list)


@dataobject
@dataclass
class Edge:
    """A port that is the output of ``source`` and the input of ``target``; ``label`` is its last dot-part."""

    id: str
    label: str
    source: str
    target: str


@dataobject
@dataclass
class Graph:
    """Nodes and the edges between them."""

    nodes: List[Node]
    edges: List[Edge]
