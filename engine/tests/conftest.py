"""Shared fixtures of the engine tests."""

from pathlib import Path

import pytest
from hopeit.app.config import AppConfig
from hopeit.testing.apps import config

pytest_plugins = ["hopeit.testing.redis"]

MOCK_APP_CONFIG = Path(__file__).parent / "mock_app" / "config.json"


@pytest.fixture
def mock_app_config() -> AppConfig:
    return config(MOCK_APP_CONFIG)
