"""Fixtures of legacy-app's tests, as 0.24-era apps wrote them."""

import os
import uuid
from pathlib import Path

import pytest
from hopeit.app.config import AppConfig
from hopeit.testing.apps import config
from legacy_app.model import Something, Status, StatusType, User

CONFIG = Path(__file__).parent.parent / "config" / "app-config.json"


@pytest.fixture
def app_config(tmp_path, monkeypatch) -> AppConfig:
    monkeypatch.setenv("COMPAT_WORKDIR", str(tmp_path))
    monkeypatch.setenv("COMPAT_STREAM", "legacy.tests")
    monkeypatch.setenv("COMPAT_COMPRESSION", "lz4")
    monkeypatch.setenv("COMPAT_SERIALIZATION", "json+base64")
    cfg = config(str(CONFIG))
    # the fixture edits settings after config(): events must see the new path (0.24's fs-storage tests do this)
    cfg.settings["fs_storage"]["path"] += f"/{uuid.uuid4()}"
    return cfg


@pytest.fixture
def something() -> Something:
    from datetime import datetime, timezone

    return Something(
        id="item1",
        user=User(id="u1", name="User One"),
        status=Status(ts=datetime(2020, 5, 1, tzinfo=timezone.utc), type=StatusType.NEW),
    )


def storage_path(app_config: AppConfig) -> Path:
    return Path(app_config.settings["fs_storage"]["path"])


__all__ = ["os", "storage_path"]
