"""Version of the hopeit.redis-streams distribution."""

__version__ = "1.0.0"
