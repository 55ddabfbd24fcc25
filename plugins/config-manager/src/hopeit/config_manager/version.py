"""Version of the hopeit.config-manager distribution."""

__version__ = "1.0.0"
