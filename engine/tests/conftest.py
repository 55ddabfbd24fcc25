"""Shared fixtures of the engine tests."""

import pytest
from hopeit.app.config import AppConfig
from hopeit.testing.apps import config
from mock_app import MOCK_APP_CONFIG

pytest_plugins = ["hopeit.testing.redis"]


@pytest.fixture
def mock_app_config() -> AppConfig:
    return config(MOCK_APP_CONFIG)
