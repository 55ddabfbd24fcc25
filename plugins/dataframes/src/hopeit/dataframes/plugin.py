"""The dataframes plugin app, found through the ``hopeit.plugins`` entry point."""

from pathlib import Path

__all__ = ["config_path"]


def config_path() -> Path:
    """Path of the packaged ``plugin-config.json`` of the dataframes plugin app."""
    return Path(__file__).with_name("plugin-config.json")
