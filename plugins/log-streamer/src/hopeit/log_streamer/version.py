"""Version of the hopeit.log-streamer distribution."""

__version__ = "1.0.0"
