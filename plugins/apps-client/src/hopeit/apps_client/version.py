"""Version of the hopeit.apps-client distribution."""

__version__ = "1.0.0"
