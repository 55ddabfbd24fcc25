"""Fixtures of simple-example tests: the app config with its data under a temporary folder."""

import json
from pathlib import Path
from typing import Any, Dict

import pytest
from hopeit.app.config import AppConfig
from hopeit.server.config import AuthConfig
from hopeit.testing.apps import config
from hopeit.toolkit import auth

EXAMPLE_DIR = Path(__file__).parent.parent
APP_CONFIG = EXAMPLE_DIR / "config" / "app-config.json"


def app_config_json(base_path: Path, **settings: Dict[str, Any]) -> Dict[str, Any]:
    """The app config as JSON, storing under ``base_path``; ``settings`` sections are overlaid."""
    data: Dict[str, Any] = json.loads(APP_CONFIG.read_text())
    data["env"]["storage"]["base_path"] = str(base_path)
    for key, values in settings.items():
        data["settings"].setdefault(key, {}).update(values)
    return data


def write_json(path: Path, data: Dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, indent=2))
    return path


@pytest.fixture
def data_path(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def app_config(tmp_path: Path, data_path: Path) -> AppConfig:
    """simple-example config with data under a temporary folder and a fast generator service."""
    data = app_config_json(data_path, **{"service.something_generator": {"interval_seconds": 0.01}})
    return config(write_json(tmp_path / "app-config.json", data))


@pytest.fixture
def app_keys(tmp_path: Path, app_config: AppConfig) -> AppConfig:
    """Keys of the app created in a temporary folder, so ``login`` can sign tokens."""
    auth.init(app_config.app_key(), AuthConfig(
        secrets_location=str(tmp_path / ".secrets"), auth_passphrase="test", create_keys=True
    ))
    return app_config
