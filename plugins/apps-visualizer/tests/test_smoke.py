"""Smoke tests every plugin keeps: it is installed, its entry points load and have the right shape."""

import sys
from typing import List

import hopeit
import pytest
from hopeit.apps_visualizer import __version__
from hopeit.contracts.discovery import (
    GROUP_CLIENTS,
    GROUP_PLUGINS,
    GROUP_STORAGE,
    GROUP_STREAMS,
    load_client_class,
    load_plugin_config_path,
    load_storage_class,
    load_stream_manager_class,
)
from hopeit.contracts.version import APPS_API_VERSION
from hopeit.server.config import load_app_config

if sys.version_info >= (3, 10):
    from importlib.metadata import EntryPoint, distribution
else:  # pragma: no cover - 3.8 and 3.9
    from importlib_metadata import EntryPoint, distribution

DIST = "hopeit.apps-visualizer"
GROUPS = (GROUP_STREAMS, GROUP_STORAGE, GROUP_CLIENTS, GROUP_PLUGINS)


def own_entry_points() -> List[EntryPoint]:
    """The entry points this distribution declares in the engine's groups."""
    return [ep for ep in distribution(DIST).entry_points if ep.group in GROUPS]


def test_installed_version_matches_version_py() -> None:
    """The installed distribution's metadata carries the version in version.py."""
    assert distribution(DIST).version == __version__


def test_hopeit_stays_a_namespace_package() -> None:
    """No package ships hopeit/__init__.py, so every hopeit.* distribution can share the namespace."""
    assert getattr(hopeit, "__file__", None) is None


def test_declares_an_entry_point() -> None:
    """The plugin registers itself in at least one of the engine's entry-point groups."""
    assert own_entry_points(), f"{DIST} declares no entry point in {GROUPS}"


@pytest.mark.parametrize("ep", own_entry_points(), ids=lambda ep: f"{ep.group}:{ep.name}")
def test_entry_point_loads_with_the_expected_shape(ep: EntryPoint) -> None:
    """Each entry point loads through the engine's own loader, which checks its type or protocol."""
    if ep.group == GROUP_PLUGINS:
        app_config = load_app_config(load_plugin_config_path(ep.name))
        assert (app_config.app.name, app_config.app.version) == (ep.name, APPS_API_VERSION)
    elif ep.group == GROUP_STREAMS:
        assert load_stream_manager_class(ep.name)
    elif ep.group == GROUP_STORAGE:
        assert load_storage_class(ep.name)
    else:
        assert load_client_class(ep.name)
