"""Server configuration, and loading of server and app config files with clear errors.

``${ENV}`` references are read with ``os.getenv`` when a file is parsed; a missing variable stops
start-up with its name.
"""

from pathlib import Path
from typing import Union

from hopeit.app.config import AppConfig, parse_app_config_json
from hopeit.app.expansion import MissingEnvironmentVariables, replace_config_args, replace_env_vars
from hopeit.contracts.settings import (
    DEFAULT_STREAM_MANAGER,
    APIConfig,
    AuthConfig,
    AuthType,
    LoggingConfig,
    ServerConfig,
    StreamsConfig,
)
from hopeit.dataobjects.payload import Payload

__all__ = [
    "DEFAULT_STREAM_MANAGER",
    "APIConfig",
    "AuthConfig",
    "AuthType",
    "ConfigError",
    "LoggingConfig",
    "MissingEnvironmentVariables",
    "ServerConfig",
    "StreamsConfig",
    "load_app_config",
    "load_server_config",
    "parse_server_config_json",
    "replace_config_args",
    "replace_env_vars",
]


class ConfigError(ValueError):
    """A config file could not be used; the message names the file, the key and the problem."""


def parse_server_config_json(config_json: str) -> ServerConfig:
    """Parse server config text: ``${ENV}`` expansion, validation, ``{path}`` expansion of streams."""
    server_config = Payload.from_json(replace_env_vars(config_json), ServerConfig)
    replace_config_args(server_config.streams)
    return server_config


def _read(path: Union[str, Path]) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror or exc}") from None


def load_server_config(path: Union[str, Path]) -> ServerConfig:
    """Load a server config file.

    :raises ConfigError: ``<file>: <key>: <problem>``.
    """
    try:
        return parse_server_config_json(_read(path))
    except ConfigError:
        raise
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def load_app_config(path: Union[str, Path]) -> AppConfig:
    """Load an app (or plugin) config file.

    :raises ConfigError: ``<file>: <key>: <problem>``.
    """
    try:
        return parse_app_config_json(_read(path))
    except ConfigError:
        raise
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from None
