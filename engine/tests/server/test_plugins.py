"""Plugin discovery through entry points (architecture §3, style §5.3)."""

import sys
from pathlib import Path
from typing import Any, Iterator, List

import pytest
from hopeit.app.client import Client
from hopeit.contracts import discovery as plugins
from hopeit.contracts.discovery import (
    GROUP_CLIENTS,
    GROUP_PLUGINS,
    GROUP_STORAGE,
    GROUP_STREAMS,
    PluginInfo,
    PluginNotFound,
    available,
    load_client_class,
    load_plugin_config_path,
    load_storage_class,
    load_stream_manager_class,
    loaded_plugins,
)
from hopeit.contracts.version import ENGINE_VERSION
from hopeit.server.config import load_app_config
from hopeit.server.config_files import load_config_files
from hopeit.storage.memory import MemoryStorage
from hopeit.streams.memory import MemoryStreamManager
from plugin_app import PLUGIN_CONFIG, clients

if sys.version_info >= (3, 10):
    from importlib.metadata import EntryPoint
else:  # pragma: no cover
    from importlib_metadata import EntryPoint

EXTRA = [
    EntryPoint(name="plugin-app", value="plugin_app:plugin_config_path", group=GROUP_PLUGINS),
    EntryPoint(name="plugin-app-path", value="plugin_app:PLUGIN_CONFIG", group=GROUP_PLUGINS),
    EntryPoint(name="plugin-gone", value="plugin_app:FAILING_CONFIG_MISSING", group=GROUP_PLUGINS),
    EntryPoint(name="echo", value="plugin_app.clients:EchoClient", group=GROUP_CLIENTS),
    EntryPoint(name="broken", value="plugin_app.no_such_module:Thing", group=GROUP_STREAMS),
    EntryPoint(name="missing-attr", value="plugin_app.clients:NoSuchClass", group=GROUP_CLIENTS),
    EntryPoint(name="dotted.name", value="hopeit.streams.memory:MemoryStreamManager", group=GROUP_STREAMS),
]


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> Iterator[List[Any]]:
    """Installed entry points plus the test ones (stdlib EntryPoint objects)."""
    original = getattr(plugins, "entry_points")  # noqa: B009 - not re-exported: looked up like monkeypatch does

    def entry_points(*, group: str) -> List[Any]:
        return [*original(group=group), *(ep for ep in EXTRA if ep.group == group)]

    monkeypatch.setattr(plugins, "entry_points", entry_points)
    monkeypatch.setattr("plugin_app.FAILING_CONFIG_MISSING", Path("/nonexistent/config.json"), raising=False)
    yield EXTRA


def test_engine_registers_memory_backends() -> None:
    """The engine's own pyproject registers ``memory`` for streams and storage."""
    assert "memory" in available(GROUP_STREAMS)
    assert "memory" in available(GROUP_STORAGE)
    assert load_stream_manager_class("memory") is MemoryStreamManager
    assert load_storage_class("memory") is MemoryStorage
    assert PluginInfo(GROUP_STREAMS, "memory", "hopeit.engine", ENGINE_VERSION) in loaded_plugins()
    assert PluginInfo(GROUP_STORAGE, "memory", "hopeit.engine", ENGINE_VERSION) in loaded_plugins()


def test_loading_logs_distribution_and_version_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The first load of a name logs which distribution and version provide it; later loads stay quiet."""
    monkeypatch.setattr(plugins, "_loaded", {})
    with caplog.at_level("INFO", logger="hopeit.plugins"):
        load_storage_class("memory")
        load_storage_class("memory")
    lines = [r.getMessage() for r in caplog.records if r.name == "hopeit.plugins"]
    assert lines == [f"Loaded storage 'memory' from hopeit.engine {ENGINE_VERSION}"]


def test_dotted_class_paths_are_accepted() -> None:
    """A dotted ``module.Class`` path works wherever a name does."""
    assert load_stream_manager_class("hopeit.streams.memory.MemoryStreamManager") is MemoryStreamManager
    assert load_storage_class("hopeit.storage.memory.MemoryStorage") is MemoryStorage
    assert load_client_class("plugin_app.clients.EchoClient") is clients.EchoClient


def test_dotted_path_that_cannot_be_imported() -> None:
    """A dotted path to a missing module or attribute names the path."""
    with pytest.raises(PluginNotFound, match=r"cannot import 'no_such_pkg.Manager'"):
        load_stream_manager_class("no_such_pkg.Manager")
    with pytest.raises(PluginNotFound, match=r"cannot import 'hopeit.streams.memory.Nope'"):
        load_stream_manager_class("hopeit.streams.memory.Nope")


def test_known_name_not_installed_gives_pip_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    """A well-known name not installed: what is missing, the pip install, and what is installed."""
    monkeypatch.setenv("HOPEIT_DISABLE_PLUGINS", "redis")  # the redis plugin may be installed here
    with pytest.raises(PluginNotFound) as info:
        load_stream_manager_class("redis")
    message = str(info.value)
    assert message.startswith("stream manager 'redis' is not installed (pip install hopeit.redis-streams); installed: ")
    assert "memory" in message.split("installed: ")[1]
    assert isinstance(info.value, ImportError)


def test_unknown_name_names_the_group() -> None:
    """An unknown name says which entry-point group should provide it."""
    with pytest.raises(
        PluginNotFound,
        match=r"install the package that provides 'nosuch' in entry-point group "
        "'hopeit.storage'",
    ):
        load_storage_class("nosuch")


def test_disable_plugins_env_hides_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """``HOPEIT_DISABLE_PLUGINS`` hides installed names (comma separated, spaces ignored)."""
    monkeypatch.setenv("HOPEIT_DISABLE_PLUGINS", " other , memory")
    assert "memory" not in available(GROUP_STREAMS)
    with pytest.raises(PluginNotFound, match="stream manager 'memory' is not installed"):
        load_stream_manager_class("memory")


def test_type_check_failures() -> None:
    """An object of the wrong kind is refused at load, naming what was expected."""
    with pytest.raises(
        TypeError,
        match=r"stream manager 'hopeit.storage.memory.MemoryStorage' resolves to "
        r"<class 'hopeit.storage.memory.MemoryStorage'>, which is not a StreamManager",
    ):
        load_stream_manager_class("hopeit.storage.memory.MemoryStorage")
    with pytest.raises(TypeError, match="which is not a ObjectStorage"):
        load_storage_class("hopeit.streams.memory.MemoryStreamManager")
    with pytest.raises(TypeError, match="which is not a Client"):
        load_client_class("plugin_app.clients.NotAClient")


def test_registered_entry_points_load(registered: List[Any]) -> None:
    """Entry points of each group load, including names with dots; unknown distribution recorded."""
    assert load_client_class("echo") is clients.EchoClient
    assert issubclass(load_client_class("echo"), Client)
    assert load_stream_manager_class("dotted.name") is MemoryStreamManager
    assert PluginInfo(GROUP_CLIENTS, "echo", "unknown", "unknown") in loaded_plugins()
    assert "echo" in available(GROUP_CLIENTS)


def test_entry_point_that_cannot_be_imported(registered: List[Any]) -> None:
    """An installed entry point whose module fails to import is reported as such."""
    with pytest.raises(PluginNotFound, match="stream manager 'broken' is installed but cannot be imported"):
        load_stream_manager_class("broken")


def test_entry_point_with_missing_object(registered: List[Any]) -> None:
    """An entry point whose module lacks the named object is a PluginNotFound naming the plugin."""
    with pytest.raises(PluginNotFound, match="missing-attr"):
        load_client_class("missing-attr")


def test_plugin_config_path_from_callable_or_path(registered: List[Any]) -> None:
    """A ``hopeit.plugins`` entry point names a config path, or a function returning one."""
    assert load_plugin_config_path("plugin-app") == PLUGIN_CONFIG
    assert load_plugin_config_path("plugin-app-path") == PLUGIN_CONFIG
    config = load_app_config(load_plugin_config_path("plugin-app"))
    assert config.app_key() == "plugin_app.1x0"


def test_plugin_config_path_must_exist(registered: List[Any]) -> None:
    """A plugin pointing to a missing file is reported with the path."""
    with pytest.raises(PluginNotFound, match=r"plugin 'plugin-gone' points to config file '/nonexistent/config.json'"):
        load_plugin_config_path("plugin-gone")


def test_plugin_not_installed_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Well-known plugin apps get their pip hint."""
    monkeypatch.setenv("HOPEIT_DISABLE_PLUGINS", "config-manager")
    with pytest.raises(
        PluginNotFound,
        match=r"plugin 'config-manager' is not installed \(pip install "
        r"hopeit.config-manager\)",
    ):
        load_plugin_config_path("config-manager")


def test_server_config_plugins_load_first(registered: List[Any], tmp_path: Path) -> None:
    """Plugins named in server config come first; a plugin also given as a file is loaded once."""
    server = tmp_path / "server.json"
    server.write_text('{"plugins": ["plugin-app"]}')
    server_config, apps = load_config_files([server, PLUGIN_CONFIG, PLUGIN_CONFIG.parent / "host2.json"])
    assert [app.app_key() for app in apps] == ["plugin_app.1x0", "host_two.1x0"]
    assert all(app.server is server_config for app in apps)
