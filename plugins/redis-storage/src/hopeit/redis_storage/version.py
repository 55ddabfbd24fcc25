"""Version of the hopeit.redis-storage distribution."""

__version__ = "1.0.0"
