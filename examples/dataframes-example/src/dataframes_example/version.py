"""Version of the dataframes-example app."""

__version__ = "1.0.0"
