"""Server config model defaults (spec engine §4)."""

import pytest
from hopeit.contracts.settings import (
    DEFAULT_STREAM_MANAGER,
    APIConfig,
    AuthConfig,
    AuthType,
    LoggingConfig,
    ServerConfig,
    StreamsConfig,
)
from hopeit.contracts.version import ENGINE_VERSION
from hopeit.dataobjects.payload import Payload


def test_streams_defaults() -> None:
    """In-process ``memory`` streams by default (architecture §5), with the 0.24 backoff defaults."""
    streams = StreamsConfig()
    assert streams.stream_manager == DEFAULT_STREAM_MANAGER == "memory"
    assert streams.connection_str == "<<NoStreamManager>>"
    assert streams.delay_auto_start_seconds == 3
    assert (streams.initial_backoff_seconds, streams.max_backoff_seconds) == (1.0, 60.0)
    assert streams.num_failures_open_circuit_breaker == 1
    assert streams.settings == {}


def test_logging_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """INFO under ``logs/`` (trailing slash), files enabled."""
    monkeypatch.delenv("HOPEIT_LOG_PATH", raising=False)
    assert LoggingConfig() == LoggingConfig(log_level="INFO", log_path="logs/", console_only=False)


@pytest.mark.parametrize("env, expected", [
    ("/var/log/apps/", "/var/log/apps/"), ("work/logs", "work/logs/"), ("", "logs/"),
])
def test_log_path_default_comes_from_hopeit_log_path(monkeypatch: pytest.MonkeyPatch, env: str, expected: str) -> None:
    """``HOPEIT_LOG_PATH`` names the folder of configs that do not set one (its trailing slash added)."""
    monkeypatch.setenv("HOPEIT_LOG_PATH", env)
    assert LoggingConfig().log_path == expected
    assert LoggingConfig(log_path="mine/").log_path == "mine/"  # a config that sets it wins


def test_auth_types() -> None:
    """Auth type values."""
    assert [a.value for a in AuthType] == ["Unsecured", "Basic", "Bearer", "Refresh"]


def test_auth_defaults_and_no_auth() -> None:
    """Empty default methods become ``[Unsecured]``; ``no_auth()`` is disabled."""
    auth = AuthConfig(secrets_location="/s", auth_passphrase="p")
    assert auth.enabled is True and auth.create_keys is False and auth.domain is None
    assert auth.encryption_algorithm == "RS256"
    assert auth.default_auth_methods == [AuthType.UNSECURED]
    bearer = AuthConfig(secrets_location="/s", auth_passphrase="p", default_auth_methods=[AuthType.BEARER])
    assert bearer.default_auth_methods == [AuthType.BEARER]
    assert AuthConfig.no_auth() == AuthConfig(secrets_location=".secrets/", auth_passphrase="", enabled=False)


def test_server_config_defaults() -> None:
    """Every section defaults; no plugins; tracebacks off."""
    config = ServerConfig()
    assert config.streams == StreamsConfig() and config.logging == LoggingConfig()
    assert config.auth == AuthConfig.no_auth() and config.api == APIConfig(docs_path=None)
    assert config.plugins == [] and config.errors_traceback is False
    assert config.engine_version == ENGINE_VERSION


def test_engine_version_is_always_the_running_one() -> None:
    """``engine_version`` from a file is overwritten."""
    config = Payload.from_json('{"engine_version": "0.1.0", "api": {"docs_path": "/api/docs"}}', ServerConfig)
    assert config.engine_version == ENGINE_VERSION
    assert config.api.docs_path == "/api/docs"
    assert ServerConfig(engine_version="x").engine_version == ENGINE_VERSION
