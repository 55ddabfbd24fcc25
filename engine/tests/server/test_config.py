"""Loading server and app config files: errors name the file and the key (spec engine §3.4, §4)."""

import json
from pathlib import Path
from typing import Any

import pytest
from hopeit.contracts.settings import AuthType
from hopeit.server import config as server_config_module
from hopeit.server.config import (
    ConfigError,
    MissingEnvironmentVariables,
    load_app_config,
    load_server_config,
    parse_server_config_json,
)
from hopeit.server.config_files import load_config_files, split_config_files


def write(tmp_path: Path, content: Any, name: str = "config.json") -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def test_load_server_config_with_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Env vars expand; sections parse into their models."""
    monkeypatch.setenv("HOPEIT_TEST_REDIS", "redis://localhost:6379")
    path = write(
        tmp_path,
        {
            "streams": {"stream_manager": "redis", "connection_str": "${HOPEIT_TEST_REDIS}"},
            "logging": {"log_level": "DEBUG", "log_path": "work/logs/"},
            "auth": {
                "secrets_location": ".secrets/",
                "auth_passphrase": "p",
                "default_auth_methods": ["Bearer"],
                "domain": "localhost",
            },
            "api": {"docs_path": "/api/docs"},
            "plugins": ["config-manager"],
        },
    )
    config = load_server_config(path)
    assert config.streams.stream_manager == "redis"
    assert config.streams.connection_str == "redis://localhost:6379"
    assert config.logging.log_level == "DEBUG" and config.logging.log_path == "work/logs/"
    assert config.auth.default_auth_methods == [AuthType.BEARER] and config.auth.domain == "localhost"
    assert config.api.docs_path == "/api/docs" and config.plugins == ["config-manager"]


def test_server_config_expands_paths_within_streams() -> None:
    """``{path}`` references are expanded in the streams section (no ``{auto}``)."""
    config = parse_server_config_json(
        '{"streams": {"stream_manager": "memory", "connection_str": "mem-{stream_manager}/{auto}"}}'
    )
    assert config.streams.connection_str == "mem-memory/{auto}"


def test_server_config_error_names_file_and_key(tmp_path: Path) -> None:
    """A bad value is reported as ``<file>: Invalid ServerConfig: <key>: <problem>``."""
    path = write(tmp_path, {"streams": {"delay_auto_start_seconds": "soon"}}, "server.json")
    with pytest.raises(ConfigError) as info:
        load_server_config(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert "streams.delay_auto_start_seconds: Input should be a valid integer" in message


def test_server_config_missing_required_key(tmp_path: Path) -> None:
    """A missing required key is named with its section."""
    path = write(tmp_path, {"auth": {"secrets_location": ".secrets/"}})
    with pytest.raises(ConfigError, match=r"auth\.auth_passphrase: Field required"):
        load_server_config(path)


def test_missing_file_is_named(tmp_path: Path) -> None:
    """A file that cannot be read is a ConfigError naming it."""
    missing = tmp_path / "missing.json"
    for loader in (load_server_config, load_app_config):
        with pytest.raises(ConfigError, match=f"{missing}: cannot read config file: No such file"):
            loader(missing)  # type: ignore[operator]


def test_missing_env_var_names_file_and_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A missing env var stops loading, naming the file and the variable."""
    monkeypatch.delenv("HOPEIT_TEST_UNSET", raising=False)
    path = write(tmp_path, '{"app": {"name": "a", "version": "${HOPEIT_TEST_UNSET}"}}')
    with pytest.raises(ConfigError) as info:
        load_app_config(path)
    assert str(info.value).startswith(f"{path}: ") and "HOPEIT_TEST_UNSET" in str(info.value)
    server_path = write(tmp_path, '{"streams": {"connection_str": "${HOPEIT_TEST_UNSET}"}}', "server.json")
    with pytest.raises(ConfigError, match="HOPEIT_TEST_UNSET"):
        load_server_config(server_path)
    with pytest.raises(MissingEnvironmentVariables):
        parse_server_config_json('{"x": "${HOPEIT_TEST_UNSET}"}')


def test_app_config_error_names_file_and_key(tmp_path: Path) -> None:
    """An invalid event type is reported with the file and ``events.<event>.type``."""
    path = write(tmp_path, {"app": {"name": "a", "version": "1"}, "events": {"my_event": {"type": "PUT"}}})
    with pytest.raises(ConfigError) as info:
        load_app_config(path)
    assert str(info.value).startswith(f"{path}: Invalid AppConfig: events.my_event.type: Input should be")


def test_app_config_invalid_json_names_file(tmp_path: Path) -> None:
    """Broken JSON is a ConfigError naming the file."""
    path = write(tmp_path, '{"app": {"name": "a"')
    with pytest.raises(ConfigError, match=f"{path}: .*Invalid JSON"):
        load_app_config(path)


def test_load_app_config(tmp_path: Path) -> None:
    """A valid file loads and is set up (effective settings computed)."""
    path = write(tmp_path, {"app": {"name": "my-app", "version": "1.0"}, "events": {"e": {"type": "GET"}}})
    config = load_app_config(str(path))
    assert config.app_key() == "my_app.1x0"
    assert config.effective_settings is not None and "e" in config.effective_settings


def test_public_names() -> None:
    """The module re-exports the server models for 0.24-era imports."""
    for name in (
        "ServerConfig",
        "StreamsConfig",
        "AuthConfig",
        "AuthType",
        "LoggingConfig",
        "APIConfig",
        "ConfigError",
        "load_app_config",
        "load_server_config",
        "parse_server_config_json",
    ):
        assert hasattr(server_config_module, name), name
    assert issubclass(ConfigError, ValueError)


def test_config_files_list(tmp_path: Path) -> None:
    """Comma-joined and repeated values flatten; the server config comes first and is required."""
    assert split_config_files(["a.json, b.json", " c.json ", ","]) == ["a.json", "b.json", "c.json"]
    with pytest.raises(ValueError, match="needs at least the server config file"):
        load_config_files([])
    server = write(tmp_path, {"logging": {"log_level": "DEBUG"}}, "server.json")
    app = write(tmp_path, {"app": {"name": "a", "version": "1"}}, "app.json")
    server_config, apps = load_config_files([server, app, app])
    assert server_config.logging.log_level == "DEBUG"
    assert [a.app_key() for a in apps] == ["a.1"] and apps[0].server is server_config
