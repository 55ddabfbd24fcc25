"""Fixtures of the log-streamer tests: the plugin's event context over a folder of test log files."""

from pathlib import Path
from typing import Any, Callable, List

import pytest
from hopeit.app.context import EventContext
from hopeit.log_streamer.plugin import config_path
from hopeit.testing.apps import config, create_test_context

pytest_plugins = ["hopeit.testing.redis"]

ContextFactory = Callable[..., EventContext]


@pytest.fixture
def make_context(tmp_path: Path) -> ContextFactory:
    """``log_reader`` contexts of the packaged plugin config, with its settings pointed under ``tmp_path``."""

    def make(**settings: Any) -> EventContext:
        app_config = config(config_path())
        assert app_config.effective_settings is not None
        own = app_config.effective_settings["log_reader"]["extras"]["_"]
        own.update(logs_path=str(tmp_path / "logs") + "/", checkpoint_path=str(tmp_path / "checkpoints") + "/")
        own.update(settings)
        return create_test_context(app_config, "log_reader")

    return make


def lifecycle_line(n: int, msg: str = "START", app: str = "my-app 1.0 ev host 1") -> str:
    """A lifecycle line numbered ``n`` (its request id), as the engine writes it."""
    return f"2024-01-01 00:00:{n % 60:02d},{n % 1000:03d} | INFO | {app} | {msg} | track.request_id=r{n}"


def append_lines(path: Path, lines: List[str]) -> None:
    """Append ``lines`` (each with its newline) to ``path``."""
    with open(path, "a", encoding="utf-8") as file:
        file.write("".join(line + "\n" for line in lines))
