"""Strict config mode: unknown keys stop the start, each named with its closest valid key (issue #20).

The default stays a warning, so 0.24 configs holding extra keys keep starting.
"""

import json
import subprocess
from pathlib import Path
from typing import Any, Dict, Tuple

import pytest
from hopeit.server.config import ConfigError
from hopeit.server.config_files import UnknownConfigKeys, check_config_files, load_config_files
from hopeit.testing.apps import config
from hopeit.testing.servers import free_port, server_command
from hopeit.web.args import parse_args

APP: Dict[str, Any] = {
    "app": {"name": "strict-app", "version": "1.0"},
    "engine": {"import_modules": ["strict_app"]},
    "events": {"ping": {"type": "GET"}},
}


def _write(folder: Path, name: str, data: Dict[str, Any]) -> str:
    path = folder / name
    path.write_text(json.dumps(data))
    return str(path)


def _typo_files(folder: Path) -> Tuple[str, str]:
    server = _write(folder, "server.json", {"stream": {"stream_manager": "memory"},
                                            "logging": {"log_level": "WARNING", "log_path": f"{folder}/logs/"}})
    app = _write(folder, "app.json", {**APP, "events": {"ping": {"type": "GET", "setting_key": ["x"]}}})
    return server, app


def test_strict_mode_names_every_unknown_key_and_says_how_to_fix_or_turn_it_off(tmp_path: Path) -> None:
    server, app = _typo_files(tmp_path)
    with pytest.raises(UnknownConfigKeys) as info:
        check_config_files([server, app], strict=True)
    message = str(info.value)
    assert info.value.keys == [
        f"{server}: stream: unknown key (did you mean 'streams'?)",
        f"{app}: events.ping.setting_key: unknown key (did you mean 'setting_keys'?)",
    ]
    assert "2 unknown key(s)" in message and "refusing to start" in message
    for key in info.value.keys:
        assert f"\n  {key}" in message
    assert "Rename each to the key meant (or remove it)" in message
    assert "run without --strict-config" in message
    assert isinstance(info.value, ConfigError)  # the server's start-up failure path prints it as one


def test_strict_mode_raises_from_load_config_files_too(tmp_path: Path) -> None:
    server, app = _typo_files(tmp_path)
    with pytest.raises(UnknownConfigKeys):
        load_config_files([server, app], strict=True)


def test_default_mode_warns_and_starts(tmp_path: Path) -> None:
    server, app = _typo_files(tmp_path)
    _, apps, notes = check_config_files([server, app])
    assert [a.app_key() for a in apps] == ["strict_app.1x0"]
    assert notes == [
        f"{server}: stream: unknown key, ignored (did you mean 'streams'?)",
        f"{app}: events.ping.setting_key: unknown key, ignored (did you mean 'setting_keys'?)",
    ]


def test_strict_mode_passes_clean_files(tmp_path: Path) -> None:
    server = _write(tmp_path, "server.json", {"streams": {"stream_manager": "memory"}})
    app = _write(tmp_path, "app.json", APP)
    _, apps, notes = check_config_files([server, app], strict=True)
    assert [a.app_key() for a in apps] == ["strict_app.1x0"] and notes == []


def test_strict_config_flag_is_parsed() -> None:
    assert parse_args(["--config-files", "a.json,b.json", "--strict-config"]).strict_config is True
    assert parse_args(["--config-files", "a.json,b.json"]).strict_config is False


def test_testing_config_loader_can_be_strict(tmp_path: Path) -> None:
    app = _write(tmp_path, "app.json", {**APP, "engine": {"import_module": ["strict_app"]}})
    assert config(app).app_key() == "strict_app.1x0"  # default: the key is ignored, as when served
    with pytest.raises(UnknownConfigKeys) as info:
        config(app, strict=True)
    assert info.value.keys == [f"{app}: engine.import_module: unknown key (did you mean 'import_modules'?)"]
    assert "call config() without strict=True" in str(info.value)
    clean = _write(tmp_path, "clean.json", APP)
    assert config(clean, strict=True).app_key() == "strict_app.1x0"


def test_testing_config_loader_strict_leaves_unreadable_files_to_the_loader(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(Exception) as info:  # whatever load_app_config raises for it
        config(str(broken), strict=True)
    assert not isinstance(info.value, UnknownConfigKeys)


def test_hopeit_server_run_strict_config_refuses_to_start(tmp_path: Path) -> None:
    """A real ``hopeit_server run --strict-config``: exit 1 and the message, before anything listens."""
    server, app = _typo_files(tmp_path)
    port = free_port()
    done = subprocess.run(
        [*server_command(), "run", "--strict-config", "--host", "127.0.0.1", "--port", str(port),
         "--config-files", f"{server},{app}"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "hopeit_server: error: UnknownConfigKeys: strict config: 2 unknown key(s)" in done.stderr
    assert f"{server}: stream: unknown key (did you mean 'streams'?)" in done.stderr
    assert f"{app}: events.ping.setting_key: unknown key (did you mean 'setting_keys'?)" in done.stderr
    assert "run without --strict-config" in done.stderr
    assert "serving" not in done.stdout
