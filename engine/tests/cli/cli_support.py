"""Helpers of the CLI tests: the web test app and its environment.

Not a ``conftest.py``: test folders without packages would share that module name.
"""

import sys
import uuid
from pathlib import Path
from typing import Dict

import pytest

APP_DIR = Path(__file__).parent.parent / "web" / "app"
CONFIG = APP_DIR / "config"
CONFIG_FILES = f"{CONFIG / 'server.json'},{CONFIG / 'plugin.json'},{CONFIG / 'app.json'}"

if str(APP_DIR) not in sys.path:
    sys.path.insert(0, str(APP_DIR))


@pytest.fixture(autouse=True)
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Dict[str, str]:
    """Environment the test configs read (also given to server processes)."""
    env = {
        "HOPEIT_TEST_LOG_LEVEL": "WARNING",
        "HOPEIT_TEST_UPLOADS": str(tmp_path / "uploads"),
        "HOPEIT_TEST_SECRETS": str(tmp_path / "secrets"),
        "HOPEIT_TEST_STREAMS": f"cli-test-{uuid.uuid4()}",
        "PYTHONPATH": str(APP_DIR),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env
