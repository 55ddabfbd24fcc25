"""Version of the client-example distribution."""

__version__ = "1.0.0"
