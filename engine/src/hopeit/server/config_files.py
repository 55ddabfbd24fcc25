"""The ``--config-files`` list: server config first, then plugin and app configs, in start order."""

from pathlib import Path
from typing import Dict, List, Sequence, Tuple, Union

from hopeit.app.config import AppConfig
from hopeit.contracts.discovery import load_plugin_config_path
from hopeit.server.config import ServerConfig, load_app_config, load_server_config

__all__ = ["load_config_files", "split_config_files"]


def split_config_files(values: Sequence[str]) -> List[str]:
    """Flatten repeated and comma-joined values: ``["a.json,b.json", "c.json"]`` -> three files."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def load_config_files(config_files: Sequence[Union[str, Path]]) -> Tuple[ServerConfig, List[AppConfig]]:
    """Server config and app configs of a ``--config-files`` list, ready to start.

    Plugins named in server config ``"plugins"`` are found through the ``hopeit.plugins`` entry
    points and come first, in the order named; then the files given after the server config. A
    plugin given both ways is loaded once. Each app config gets the server config attached.

    :raises ConfigError: a file cannot be read or is invalid (the message names file and key).
    :raises PluginNotFound: a named plugin is not installed (the message says what to install).
    """
    if not config_files:
        raise ValueError("--config-files needs at least the server config file")
    server_config = load_server_config(config_files[0])
    paths: List[Union[str, Path]] = [load_plugin_config_path(name) for name in server_config.plugins]
    paths += list(config_files[1:])
    apps: Dict[str, AppConfig] = {}
    for path in paths:
        app_config = load_app_config(path)
        app_config.server = server_config
        apps.setdefault(app_config.app_key(), app_config)
    return server_config, list(apps.values())
