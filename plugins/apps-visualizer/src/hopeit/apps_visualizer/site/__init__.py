"""The page of the visualizer and what it shares with the JSON endpoints.

``main`` serves the page, ``assets`` its scripts and styles, ``visualization`` the options and the
cytoscape form of the graph.
"""
