"""Real ``hopeit_server run`` processes for the end-to-end tests: log-app, and the log-streamer on Redis."""

import json
from pathlib import Path
from typing import Any, Dict

from hopeit.log_streamer.plugin import config_path
from hopeit.testing.servers import HopeitServer

TESTS = Path(__file__).parent
SERVER_CONFIG = TESTS / "log_app" / "config" / "server.json"
APP_CONFIG = TESTS / "log_app" / "config" / "app-config.json"
APP_BASE = "/api/log-app/1x0"

__all__ = ["APP_BASE", "HopeitServer", "environment", "log_app", "streamer", "streamer_config"]


def streamer_config(workdir: Path, logs: Path, checkpoints: Path, **settings: Any) -> Path:
    """A copy of the packaged plugin config with ``log_reader`` settings under ``workdir``."""
    config = json.loads(config_path().read_text(encoding="utf-8"))
    config["settings"]["log_reader"].update(
        logs_path=f"{logs}/", checkpoint_path=f"{checkpoints}/", **settings
    )
    config["settings"]["hopeit.log-streamer.logs"]["target_max_len"] = 0  # keep every entry for the checks
    path = workdir / "log-streamer-config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def environment(redis_url: str, logs: Path, workdir: Path) -> Dict[str, str]:
    """Variables the test server config reads."""
    return {
        "LOG_STREAMER_TEST_REDIS": redis_url,
        "LOG_STREAMER_TEST_LOGS": f"{logs}/",
        "LOG_STREAMER_TEST_SECRETS": str(workdir / "secrets"),
    }


def log_app(workdir: Path, env: Dict[str, str]) -> HopeitServer:
    """The server of log-app."""
    return HopeitServer("log-app", [SERVER_CONFIG, APP_CONFIG], workdir, env=env, pythonpath=[TESTS])


def streamer(workdir: Path, env: Dict[str, str], plugin_config: Path) -> HopeitServer:
    """A dedicated log-streamer server, as the README says to run one per node."""
    return HopeitServer("log-streamer", [SERVER_CONFIG, plugin_config], workdir, env=env, args=["--start-streams"],
                        pythonpath=[TESTS])
