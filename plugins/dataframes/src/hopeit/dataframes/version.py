"""Version of the hopeit.dataframes distribution."""

__version__ = "1.0.0"
