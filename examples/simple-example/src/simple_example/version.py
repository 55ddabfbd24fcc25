"""Version of the simple-example distribution."""

__version__ = "1.0.0"
