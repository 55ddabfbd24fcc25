"""Version of the hopeit.apps-visualizer distribution."""

__version__ = "1.0.0"
