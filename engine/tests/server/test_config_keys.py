"""Keys a config model does not have are named at start, with the closest valid one.

And files given in the wrong order are refused, saying that the server config comes first.
"""

import json
from pathlib import Path
from typing import Any, Dict

import pytest
from hopeit.app.config import AppConfig
from hopeit.contracts.settings import ServerConfig
from hopeit.server.config import ConfigError
from hopeit.server.config_files import check_config_files, load_config_files
from hopeit.server.config_keys import config_kind, unknown_keys

APP: Dict[str, Any] = {
    "app": {"name": "keys-app", "version": "1.0"},
    "engine": {"import_modules": ["keys_app"]},
    "events": {"ping": {"type": "GET"}},
}


def _write(folder: Path, name: str, data: Dict[str, Any]) -> str:
    path = folder / name
    path.write_text(json.dumps(data))
    return str(path)


def test_server_config_typos_are_named_with_the_closest_key() -> None:
    data = {"stream": {"stream_manager": "redis"}, "logging": {"log_levl": "INFO"},
            "streams": {"stream_manger": "redis", "settings": {"any_key": 1}}}
    assert unknown_keys(data, ServerConfig) == [
        "stream: unknown key, ignored (did you mean 'streams'?)",
        "logging.log_levl: unknown key, ignored (did you mean 'log_level'?)",
        "streams.stream_manger: unknown key, ignored (did you mean 'stream_manager'?)",
    ]


def test_app_config_typos_inside_events_lists_and_streams_are_named() -> None:
    data = {
        **APP,
        "engine": {"import_module": ["x"]},
        "events": {"e": {"type": "STREAM", "setting_key": ["a"], "read_stream": {"name": "s", "queue": ["q"]},
                         "connections": [{"app_connection": "c", "event": "x", "typ": "GET"}]}},
        "settings": {"free": {"form": 1}},
        "env": {"anything": {"goes": "here"}},
    }
    assert unknown_keys(data, AppConfig) == [
        "engine.import_module: unknown key, ignored (did you mean 'import_modules'?)",
        "events.e.setting_key: unknown key, ignored (did you mean 'setting_keys'?)",
        "events.e.read_stream.queue: unknown key, ignored (did you mean 'queues'?)",
        "events.e.connections[0].typ: unknown key, ignored (did you mean 'type'?)",
    ]
    assert unknown_keys({"app": {"name": "x", "version": "1", "zzzz": 1}}, AppConfig) == [
        "app.zzzz: unknown key, ignored (known keys: name, version)"
    ]


@pytest.mark.parametrize("path", [
    "examples/simple-example/config/server.json", "examples/simple-example/config/server-redis.json",
    "examples/simple-example/config/server-ops.json", "engine/config/dev-noauth.json",
])
def test_the_repo_server_configs_have_no_unknown_key(path: str) -> None:
    root = Path(__file__).resolve().parents[3]
    assert unknown_keys(json.loads((root / path).read_text()), ServerConfig) == []


def test_config_kind_tells_app_from_server_configs() -> None:
    assert config_kind(APP) == "app"
    assert config_kind({"logging": {}, "streams": {}}) == "server"
    assert config_kind({}) is None and config_kind([1]) is None


def test_app_config_first_is_refused_saying_the_server_config_comes_first(tmp_path: Path) -> None:
    app = _write(tmp_path, "app.json", APP)
    with pytest.raises(ConfigError) as refused:
        load_config_files([app])
    assert str(refused.value) == (
        f"{app}: this is an app config (it has 'app'/'events'), but the first file must be the server config: "
        f"--config-files takes the server config first, then plugin and app configs, "
        f"e.g. --config-files server.json,{app}"
    )


def test_server_config_after_the_first_file_is_refused(tmp_path: Path) -> None:
    server = _write(tmp_path, "server.json", {"logging": {"log_level": "INFO"}})
    other = _write(tmp_path, "other.json", {"streams": {"stream_manager": "memory"}})
    with pytest.raises(ConfigError, match=r"other\.json: this is a server config .* given after the first file"):
        load_config_files([server, other])


def test_notes_name_the_file_and_a_list_without_apps(tmp_path: Path) -> None:
    server = _write(tmp_path, "server.json", {"stream": {"stream_manager": "redis"}})
    _, apps, notes = check_config_files([server])
    assert apps == []
    assert notes == [
        f"{server}: stream: unknown key, ignored (did you mean 'streams'?)",
        f"no app config to serve: --config-files takes the server config first, then plugin and app configs "
        f"(e.g. --config-files {server},app-config.json)",
    ]
