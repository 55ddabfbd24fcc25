"""Version of the acme-hopeit-kvstore distribution."""

__version__ = "1.0.0"
