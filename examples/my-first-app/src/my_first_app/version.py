"""Version of the my-first-app distribution."""

__version__ = "1.0.0"
