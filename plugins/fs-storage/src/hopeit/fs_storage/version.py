"""Version of the hopeit.fs-storage distribution."""

__version__ = "1.0.0"
