"""Version of the hopeit.REPLACE-ME distribution."""

__version__ = "1.0.0"
