"""Config files of the attacked servers, written to a test's folder: simple-example and stream-app.

Both lay their files out as the shipped simple-example config does (``hopeit/.secrets`` beside
``hopeit/simple-example``), under the test's folder instead of ``/tmp``, so the paths an attack
climbs through are the ones of a real deployment. Logs go to ``<folder>/logs/``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

from harness.processes import SUITE_DIR

__all__ = ["Layout", "simple_example_config", "stream_app_config"]

#: The shipped config of simple-example: the suite attacks the example as users run it.
SIMPLE_EXAMPLE_CONFIG = SUITE_DIR.parent / "examples" / "simple-example" / "config"
#: Route prefixes of the two apps.
SIMPLE_EXAMPLE = "/api/simple-example/1x0"
STREAM_APP = "/api/stream-app/1x0"
#: Stream that stream-app's ``publish`` writes and ``consume`` reads.
ITEMS_STREAM = "stream_app.items"


@dataclass(frozen=True)
class Layout:
    """Where a server's files are: its configs, data, uploads, keys and logs."""

    folder: Path
    config_files: List[Path]
    data: Path
    secrets: Path
    logs: Path

    @property
    def uploads(self) -> Path:
        """simple-example's upload folder."""
        return self.data / "uploads"

    @property
    def somethings(self) -> Path:
        """simple-example's ``FileStorage`` of ``Something`` objects."""
        return self.data / "somethings"

    def log_files(self) -> List[Path]:
        """Every log file the server wrote so far."""
        return sorted(self.logs.rglob("*.log")) if self.logs.exists() else []


def _server_config(
    base: Dict[str, Any], folder: Path, redis_url: Optional[str], redis_settings: Optional[Mapping[str, Any]],
    auth: Optional[Mapping[str, Any]],
) -> Dict[str, Any]:
    server: Dict[str, Any] = json.loads(json.dumps(base))  # a deep copy
    server["auth"]["secrets_location"] = str(folder / "hopeit" / ".secrets")
    server["auth"].update(auth or {})
    server["logging"]["log_path"] = f"{folder / 'logs'}/"
    if redis_url is None:
        server.pop("streams", None)
        server["streams"] = {"delay_auto_start_seconds": 0}
    else:
        server["streams"] = {
            "stream_manager": "redis",
            "connection_str": redis_url,
            "delay_auto_start_seconds": 0,
            "initial_backoff_seconds": 0.2,
            "max_backoff_seconds": 2.0,
            "settings": dict(redis_settings or {}),
        }
    return server


def _write(folder: Path, server: Dict[str, Any], app: Dict[str, Any]) -> List[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "server.json", folder / "app-config.json"]
    for path, data in zip(paths, (server, app)):
        path.write_text(json.dumps(data, indent=2))
    return paths


def simple_example_config(
    folder: Path,
    *,
    redis_url: Optional[str] = None,
    redis_settings: Optional[Mapping[str, Any]] = None,
    auth: Optional[Mapping[str, Any]] = None,
    settings: Optional[Mapping[str, Mapping[str, Any]]] = None,
) -> Layout:
    """simple-example's shipped config (``server-redis.json`` when ``redis_url`` is given), paths moved.

    ``auth`` keys replace those of the server config's auth section; ``settings`` sections are
    overlaid on the app's (the generator service is slowed down unless they say otherwise).
    """
    name = "server.json" if redis_url is None else "server-redis.json"
    server = _server_config(json.loads((SIMPLE_EXAMPLE_CONFIG / name).read_text()), folder, redis_url,
                            redis_settings, auth)
    app: Dict[str, Any] = json.loads((SIMPLE_EXAMPLE_CONFIG / "app-config.json").read_text())
    data = folder / "hopeit" / "simple-example"
    app["env"]["storage"]["base_path"] = str(data)
    overlay: Dict[str, Dict[str, Any]] = {"service.something_generator": {"interval_seconds": 3600.0}}
    for key, values in (settings or {}).items():
        overlay.setdefault(key, {}).update(values)
    for key, values in overlay.items():
        app["settings"].setdefault(key, {}).update(values)
    config_files = _write(folder, server, app)
    return Layout(folder, config_files, data, folder / "hopeit" / ".secrets", folder / "logs")


def stream_app_config(
    folder: Path,
    *,
    redis_url: Optional[str],
    redis_settings: Optional[Mapping[str, Any]] = None,
    delay_seconds: float = 0.0,
    records: Optional[Path] = None,
) -> Layout:
    """stream-app on ``redis_url`` (in-process streams when None).

    Its consumer records deliveries under ``records`` (default ``<folder>/records``): servers that
    share a consumer group share the folder, so a test sees every delivery of the group.
    """
    base = json.loads((SIMPLE_EXAMPLE_CONFIG / "server.json").read_text())
    base["plugins"] = []
    # the fault tests start and stop this app's consumer as an operator script would, without a token
    server = _server_config(base, folder, redis_url, redis_settings, {"mgmt_auth_methods": ["Unsecured"]})
    records = records or folder / "records"
    records.mkdir(parents=True, exist_ok=True)
    app = {
        "app": {"name": "stream-app", "version": "1.0"},
        "engine": {"import_modules": ["stream_app"], "read_stream_timeout": 200, "read_stream_interval": 1000},
        "settings": {"consume": {"records_path": str(records), "delay_seconds": delay_seconds}},
        "events": {
            "publish": {"type": "POST", "write_stream": {"name": ITEMS_STREAM}},
            "consume": {"type": "STREAM", "read_stream": {"name": ITEMS_STREAM, "consumer_group": "{auto}"}},
            "slow": {"type": "GET"},
            "login": {"type": "GET", "auth": ["Basic"]},
            "refresh": {"type": "GET", "auth": ["Refresh"]},
            "whoami": {"type": "GET", "auth": ["Bearer"]},
        },
    }
    config_files = _write(folder, server, app)
    return Layout(folder, config_files, folder / "data", folder / "hopeit" / ".secrets", folder / "logs")
