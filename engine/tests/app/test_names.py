"""Naming rules: every example of spec engine §5."""

from dataclasses import dataclass

import pytest
from hopeit.app.names import (
    app_route_name,
    auto_path,
    auto_path_prefixed,
    module_name,
    route_name,
    snakecase,
    spinalcase,
    titlecase,
)
from hopeit.server import names


@dataclass
class App:
    name: str
    version: str


@pytest.mark.parametrize(
    "value, expected",
    [
        ("simple-example", "simple_example"),
        ("simple.example", "simple_example"),
        ("two words", "two_words"),
        ("CamelCase", "camel_case"),
        ("requestId", "request_id"),
        ("", ""),
    ],
)
def test_snakecase(value: str, expected: str) -> None:
    """Separators become ``_``, the first letter is lowered, later capitals get ``_``."""
    assert snakecase(value) == expected


def test_spinalcase_and_titlecase() -> None:
    """Spinalcase uses dashes; titlecase capitalises words."""
    assert spinalcase("app_name") == "app-name"
    assert spinalcase("SimpleExample") == "simple-example"
    assert titlecase("track.request_id") == "Track Request Id"
    assert titlecase("event.app") == "Event App"


def test_route_name_examples() -> None:
    """Dots become ``x``, underscores dashes."""
    assert route_name("api", "app_name", "1.0") == "/api/app-name/1x0"
    assert route_name("api", "app-name", "1.0", "plugin-name", "2.0") == "/api/app-name/1x0/plugin-name/2x0"


def test_module_name_examples() -> None:
    """Dots are kept, each part snakecased."""
    assert module_name("default-app", "simple_event") == "default_app.simple_event"
    assert module_name("simple.example", "simple_event") == "simple.example.simple_event"
    assert module_name("simple_example", "streams.something_event") == "simple_example.streams.something_event"


def test_auto_path_examples() -> None:
    """Dots inside a part become ``x``."""
    assert auto_path("simple-example", "1.0") == "simple_example.1x0"
    assert auto_path("simple.example", "1.0") == "simplexexample.1x0"
    assert auto_path("my-app", "1.0") == "my_app.1x0"
    assert auto_path_prefixed("simple.example", "1.0") == "simple.example.1x0"
    assert auto_path_prefixed("prefix") == "prefix"


def test_app_route_names() -> None:
    """Default routes, plugin routes, and custom routes with and without a leading slash."""
    app, plugin = App("my-app", "1.0"), App("my-plugin", "1.0")
    assert app_route_name(app, event_name="streams.something_event") == "/api/my-app/1x0/streams/something-event"
    assert app_route_name(app, event_name="event_name", plugin=plugin) == "/api/my-app/1x0/my-plugin/1x0/event-name"
    assert app_route_name(app, event_name="e", prefix="mgmt") == "/mgmt/my-app/1x0/e"
    assert app_route_name(app, event_name="e", override_route_name="/custom/my_route.v1") == "/custom/my-routexv1"
    assert app_route_name(app, event_name="e", override_route_name="custom/path") == "/api/custom/path"


def test_track_header_names() -> None:
    """Response header names: ``X-`` + titlecase with dashes."""

    def header(key: str) -> str:
        return "X-" + titlecase(key).replace(" ", "-")

    assert header("track.request_id") == "X-Track-Request-Id"
    assert header("event.app") == "X-Event-App"


def test_server_names_reexports() -> None:
    """``hopeit.server.names`` exposes the same functions."""
    assert names.auto_path is auto_path and names.app_route_name is app_route_name
    assert set(names.__all__) == {
        "app_route_name",
        "auto_path",
        "auto_path_prefixed",
        "base_event_name",
        "module_name",
        "route_name",
        "snakecase",
        "spinalcase",
        "titlecase",
    }
