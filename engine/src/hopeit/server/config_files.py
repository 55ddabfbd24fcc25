"""The ``--config-files`` list: server config first, then plugin and app configs, in start order."""

import json
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple, Union

from hopeit.app.config import AppConfig
from hopeit.contracts.discovery import load_plugin_config_path
from hopeit.server.config import ConfigError, ServerConfig, load_app_config, load_server_config
from hopeit.server.config_keys import config_kind, unknown_keys

__all__ = [
    "STRICT_CONFIG_FLAG",
    "UnknownConfigKeys",
    "check_config_files",
    "load_config_files",
    "split_config_files",
    "strict_config_error",
]

_ORDER = "--config-files takes the server config first, then plugin and app configs"

#: The command-line flag of strict mode, named in its messages.
STRICT_CONFIG_FLAG = "--strict-config"


class UnknownConfigKeys(ConfigError):
    """Strict mode: config files hold keys their models do not take (``keys``: one line each)."""

    def __init__(self, message: str, keys: List[str]) -> None:
        super().__init__(message)
        self.keys = keys


def strict_config_error(
    keys: Sequence[str], *, how_off: str = f"run without {STRICT_CONFIG_FLAG}"
) -> UnknownConfigKeys:
    """The error strict mode raises for ``keys`` (``<file>: <path>: unknown key (did you mean ...)``).

    It names every key, then how to fix it, and how to turn strict mode off (``how_off``).
    """
    listed = "".join(f"\n  {key}" for key in keys)
    return UnknownConfigKeys(
        f"strict config: {len(keys)} unknown key(s) in the config files, refusing to start:{listed}\n"
        f"Rename each to the key meant (or remove it), or {how_off} to start with a warning for each instead.",
        list(keys),
    )


def split_config_files(values: Sequence[str]) -> List[str]:
    """Flatten repeated and comma-joined values: ``["a.json,b.json", "c.json"]`` -> three files."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def load_config_files(
    config_files: Sequence[Union[str, Path]], *, strict: bool = False
) -> Tuple[ServerConfig, List[AppConfig]]:
    """Server config and app configs of a ``--config-files`` list, ready to start.

    Plugins named in server config ``"plugins"`` are found through the ``hopeit.plugins`` entry
    points and come first, in the order named; then the files given after the server config. A
    plugin given both ways is loaded once. Each app config gets the server config attached.

    :raises ConfigError: a file cannot be read or is invalid (the message names file and key).
    :raises PluginNotFound: a named plugin is not installed (the message says what to install).
    :raises UnknownConfigKeys: ``strict`` and a file holds keys its model does not take.
    """
    server_config, apps, _ = check_config_files(config_files, strict=strict)
    return server_config, apps


def _json(path: Union[str, Path]) -> Any:
    """The file's JSON, or None when it cannot be read or parsed (the loader then says why)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def check_config_files(
    config_files: Sequence[Union[str, Path]], *, strict: bool = False
) -> Tuple[ServerConfig, List[AppConfig], List[str]]:
    """``load_config_files``, plus warnings about what the files hold that will not be used.

    Warnings name keys the config models do not have (``<file>: streams.stream_manger: unknown key,
    ignored (did you mean 'stream_manager'?)``) and a list with no app config at all.

    :raises ConfigError: as ``load_config_files``; also when the files are not in the order
        ``--config-files`` takes them (an app config first, a server config after the first).
    :raises UnknownConfigKeys: ``strict`` (``--strict-config``) and any file holds unknown keys:
        every one is named, before anything is loaded.
    """
    if not config_files:
        raise ValueError("--config-files needs at least the server config file")
    notes: List[str] = []  # strict mode raises on these before adding others: no ", ignored" then
    first = _json(config_files[0])
    if config_kind(first) == "app":
        raise ConfigError(
            f"{config_files[0]}: this is an app config (it has 'app'/'events'), but the first file must be "
            f"the server config: {_ORDER}, e.g. --config-files server.json,{config_files[0]}"
        )
    notes += [f"{config_files[0]}: {note}" for note in unknown_keys(first, ServerConfig, ignored=not strict)]
    server_config = load_server_config(config_files[0])
    paths: List[Union[str, Path]] = [load_plugin_config_path(name) for name in server_config.plugins]
    for path in config_files[1:]:
        data = _json(path)
        if config_kind(data) == "server":
            raise ConfigError(
                f"{path}: this is a server config (it has no 'app'), given after the first file: {_ORDER}"
            )
        notes += [f"{path}: {note}" for note in unknown_keys(data, AppConfig, ignored=not strict)]
        paths.append(path)
    if strict and notes:
        raise strict_config_error(notes)
    apps: Dict[str, AppConfig] = {}
    for path in paths:
        app_config = load_app_config(path)
        app_config.server = server_config
        apps.setdefault(app_config.app_key(), app_config)
    if not apps:
        notes.append(f"no app config to serve: {_ORDER} (e.g. --config-files {config_files[0]},app-config.json)")
    return server_config, list(apps.values()), notes
