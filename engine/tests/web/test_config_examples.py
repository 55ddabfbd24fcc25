"""The example server configs in engine/config load as documented."""

from pathlib import Path

import pytest
from hopeit.server.config import AuthType, load_server_config

CONFIG = Path(__file__).parent.parent.parent / "config"


def test_dev_noauth_uses_embedded_streams_and_no_auth() -> None:
    config = load_server_config(CONFIG / "dev-noauth.json")
    assert config.streams.stream_manager == "memory"
    assert config.auth.enabled is False
    assert config.auth.default_auth_methods == [AuthType.UNSECURED]
    assert config.api.docs_path == "/api/docs"


def test_dev_local_uses_redis_streams_and_bearer_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOPEIT_REDIS_URL", "redis://localhost:6379")
    monkeypatch.setenv("HOPEIT_AUTH_PASSPHRASE", "secret")
    config = load_server_config(CONFIG / "dev-local.json")
    assert (config.streams.stream_manager, config.streams.connection_str) == ("redis", "redis://localhost:6379")
    assert config.auth.enabled and config.auth.create_keys
    assert config.auth.auth_passphrase == "secret"
    assert config.auth.default_auth_methods == [AuthType.BEARER]
